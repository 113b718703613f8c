// Raw SQL returns snake_case columns; this select list names them as Prisma's Task model does, so rows from
// $queryRaw are plain `Task` objects that GraphQL and REST can use like rows from the Prisma client.
import { Prisma } from '../../generated/prisma/client.ts';
import type { Task } from '../../generated/prisma/client.ts';

export type TaskRow = Task;

export const TASK_COLUMNS = Prisma.raw(
  [
    'id',
    'kind',
    'search_params AS "searchParams"',
    'start_page AS "startPage"',
    'max_documents AS "maxDocuments"',
    'priority',
    'run_at AS "runAt"',
    'status',
    'attempts',
    'stalls',
    'max_attempts AS "maxAttempts"',
    'lease_holder_id AS "leaseHolderId"',
    'lease_token AS "leaseToken"',
    'lease_epoch AS "leaseEpoch"',
    'lease_expires_at AS "leaseExpiresAt"',
    'documents_downloaded AS "documentsDownloaded"',
    'documents_failed AS "documentsFailed"',
    'documents_skipped AS "documentsSkipped"',
    'total_expected AS "totalExpected"',
    'last_error AS "lastError"',
    'last_error_class AS "lastErrorClass"',
    'result_summary AS "resultSummary"',
    'completion_hash AS "completionHash"',
    'dedup_key AS "dedupKey"',
    'parent_id AS "parentId"',
    'plan_id AS "planId"',
    'follow_id AS "followId"',
    'plan_options AS "planOptions"',
    'created_at AS "createdAt"',
    'claimed_at AS "claimedAt"',
    'started_at AS "startedAt"',
    'completed_at AS "completedAt"',
    'updated_at AS "updatedAt"',
  ].join(', '),
);

/** Statuses in which a task is held by a lease. */
export const LEASED = Prisma.sql`('CLAIMED', 'RUNNING')`;

/** `now() + <seconds>` as an SQL expression. */
export const inSeconds = (seconds: number) => Prisma.sql`now() + make_interval(secs => ${seconds}::float8)`;
