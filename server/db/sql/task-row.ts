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

/**
 * The few columns a caller reads of the rows it changed when its own caller reads no more of each task than its id:
 * a claim (the lease's token, epoch and expiry) or completion (the documents, for the metrics), a batch or a single
 * one, answered to a GraphQL selection like `leaseToken task { id }`. Decoding 6 columns instead of 33 (seven of them
 * timestamps) per row is most of what the gate spends on a batch's rows; a single one's would otherwise come as json,
 * which PostgreSQL builds at ~35 µs a row.
 */
const KEY_COLUMN_LIST =
  'id, status, lease_token AS "leaseToken", lease_epoch AS "leaseEpoch", lease_expires_at AS "leaseExpiresAt", documents_downloaded AS "documentsDownloaded", lease_holder_id AS "leaseHolderId"';
export const TASK_KEY_COLUMNS = Prisma.raw(KEY_COLUMN_LIST);
/**
 * (the lease holder: coalesced single claims hand each row to a claim of its holder, lease-batches.ts; the status:
 * REST's completion answers with it)
 */
export type TaskKeyRow = Pick<
  TaskRow,
  'id' | 'status' | 'leaseToken' | 'leaseEpoch' | 'leaseExpiresAt' | 'documentsDownloaded' | 'leaseHolderId'
>;
/** The key and what a worker needs to run the task: REST's claim answers with these. */
export const TASK_KEY_AND_INPUT_COLUMNS = Prisma.raw(
  `${KEY_COLUMN_LIST}, search_params AS "searchParams", start_page AS "startPage", max_documents AS "maxDocuments"`,
);
export type TaskKeyAndInputRow = TaskKeyRow & Pick<TaskRow, 'searchParams' | 'startPage' | 'maxDocuments'>;
/**
 * What a state change that answers with TASK_KEY_COLUMNS keeps of each changed row (its RETURNING list): those, and
 * what its event and its client's update read (status, holder, the documents counters). The changed rows are kept in
 * memory for each reader of them, and a whole-row reference copies each row once more: 9 columns instead of 33.
 */
export const MOVED_KEY_COLUMNS = Prisma.raw(
  'tasks.id, tasks.status, tasks.lease_holder_id, tasks.lease_token, tasks.lease_epoch, tasks.lease_expires_at, tasks.documents_downloaded, tasks.documents_failed, tasks.documents_skipped',
);
/**
 * A batch claim whose caller reads no more of each lease than its token (a worker's `leaseToken task { id }`): no
 * epoch, holder or counter, and no expiry to parse into a Date (~3 % of the gate's CPU per task in batches of 50,
 * docs/benchmarks.md, session 13).
 */
export const LEASE_TOKEN_COLUMNS = Prisma.raw('id, lease_token AS "leaseToken"');
export type LeaseTokenRow = Pick<TaskRow, 'id' | 'leaseToken'>;
/** A batch completion whose caller reads no more of each task than its id: the documents it counted, for the metrics. */
export const COUNTED_COLUMNS = Prisma.raw('id, documents_downloaded AS "documentsDownloaded"');
export type CountedRow = Pick<TaskRow, 'id' | 'documentsDownloaded'>;
/**
 * Which columns a statement returns: the whole row, TASK_KEY_AND_INPUT_COLUMNS or TASK_KEY_COLUMNS (each a part of the
 * one before), or for a batch LEASE_TOKEN_COLUMNS or COUNTED_COLUMNS (parts of the key).
 */
export type TaskColumns = 'whole' | 'keyAndInput' | 'key' | 'leaseToken' | 'counted';
/** What coalesced single claims and completions can return (lease-batches.ts hands claimed rows out by holder). */
export type SingleColumns = Extract<TaskColumns, 'whole' | 'keyAndInput' | 'key'>;
export type TaskRowOf<C extends TaskColumns> = C extends 'key'
  ? TaskKeyRow
  : C extends 'keyAndInput'
    ? TaskKeyAndInputRow
    : C extends 'leaseToken'
      ? LeaseTokenRow
      : C extends 'counted'
        ? CountedRow
        : TaskRow;

/**
 * The task row as one json value per row (selectTasksAsJson), for the hot statements that return one whole row
 * (a single claim or completion, the REST completion's read by id). The driver then reads one column and parses it
 * with JSON.parse, instead of a 33-field row description and 33 values each through its own parser (seven
 * timestamps through a regular expression): a raw claim+complete loop spent about a quarter less CPU in the client
 * per cycle. row_to_json costs the server ~35 µs more per row, so batches keep the columns (docs/benchmarks.md,
 * issue 16). taskFromJson turns it back into the same row the columns give.
 */
export const selectTasksAsJson = (source: Prisma.Sql) =>
  Prisma.sql`SELECT row_to_json(task_row) AS "row" FROM (SELECT ${TASK_COLUMNS} FROM ${source}) task_row`;

/** Timestamps come in json as ISO 8601 text; the row's readers expect Dates, as from the columns. */
const DATE_FIELDS = [
  'runAt',
  'leaseExpiresAt',
  'createdAt',
  'claimedAt',
  'startedAt',
  'completedAt',
  'updatedAt',
] as const;

/** A row selected with selectTasksAsJson, as the row TASK_COLUMNS gives (json columns parsed, timestamps as Dates). */
export function taskFromJson({ row }: { row: unknown }): TaskRow {
  // the driver parses json itself; Prisma's $queryRaw may hand it over as text
  const task = (typeof row === 'string' ? JSON.parse(row) : row) as Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    const value = task[field];
    if (typeof value === 'string') task[field] = new Date(value);
  }
  return task as TaskRow;
}

/** Statuses in which a task is held by a lease. */
export const LEASED = Prisma.sql`('CLAIMED', 'RUNNING')`;

/** `now() + <seconds>` as an SQL expression. */
export const inSeconds = (seconds: number) => Prisma.sql`now() + make_interval(secs => ${seconds}::float8)`;
