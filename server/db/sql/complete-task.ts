// Completion by the lease holder, for one task or a batch in one statement. The fencing check (token +
// leased status) and the client's credit happen in the same statement as the state change, so a stale
// holder changes nothing and counters count once.
import { Prisma } from '../../generated/prisma/client.ts';
import { arrayLiteral } from './array-literal.ts';
import type { TaskColumns } from './task-row.ts';
import { shapedStatement } from './shaped-statement.ts';
import { FEW_ROWS, returnsJson, runTransition, transitionStatement } from './transition-tasks.ts';

export interface Completion {
  taskId: string;
  leaseToken: string;
  documentsDownloaded: number;
  documentsFailed: number;
  documentsSkipped: number;
  resultSummary: unknown;
  /** sha256 of the request, to recognise a repeat */
  completionHash: string;
}

export function completeTasks<C extends TaskColumns = 'whole'>(completions: Completion[], columns?: C) {
  return complete(completions, 'token', columns);
}

export interface HeldCompletion extends Omit<Completion, 'leaseToken'> {
  /** the client that must hold the task's lease now */
  holderId: string;
}

/**
 * Completions by whoever holds each task's lease now, for clients that do not keep their token (the older
 * REST clients): fenced by the holder and the leased status in the same statement, so each completes exactly
 * what reading the holder's token and completing with it would, in one round trip instead of two.
 */
export function completeHeldTasks<C extends TaskColumns = 'whole'>(completions: HeldCompletion[], columns?: C) {
  return complete(completions, 'holder', columns);
}

type Fence = 'token' | 'holder';
const FENCES: Record<Fence, Prisma.Sql> = {
  token: Prisma.sql`tasks.lease_token = done."leaseToken"`,
  holder: Prisma.sql`tasks.lease_holder_id = done."holderId"`,
};

function complete<C extends TaskColumns = 'whole'>(
  completions: Array<Omit<Completion, 'leaseToken'> & { leaseToken?: string; holderId?: string }>,
  fence: Fence,
  columns?: C,
) {
  const column = (value: (c: (typeof completions)[number]) => string | number | null) =>
    arrayLiteral(completions.map(value));
  const values = {
    taskIds: column((c) => c.taskId),
    leaseTokens: column((c) => c.leaseToken ?? null),
    holderIds: column((c) => c.holderId ?? null),
    downloaded: column((c) => c.documentsDownloaded),
    failed: column((c) => c.documentsFailed),
    skipped: column((c) => c.documentsSkipped),
    summaries: column((c) => (c.resultSummary == null ? null : JSON.stringify(c.resultSummary))),
    hashes: column((c) => c.completionHash),
  };
  const asJson = completions.length <= FEW_ROWS;
  const choice: TaskColumns = columns ?? 'whole';
  return runTransition<C>(completeStatement(values, fence, asJson, choice), returnsJson({ asJson, columns: choice }));
}

/**
 * The statement for each fence and choice of json rows and columns, built once (shaped-statement.ts).
 *
 * The input as one array per column, not one jsonb document: PostgreSQL estimates unnest's rows from its arrays,
 * so the UPDATE finds each task by its primary key whatever the table's size (jsonb_to_recordset is estimated at
 * 100 rows whatever it holds: on a tasks table of a few thousand rows that planned a seq scan of tasks per
 * completion, kept in the connection's cached plan as the table grew). Each array is a sub-select so that the
 * estimate (10 rows) is the same whether the plan is made for these values or for any: otherwise a plan made for
 * one or two completions looks cheaper than the generic one and PostgreSQL plans the statement again at every
 * call (pg_prepared_statements: custom_plans 30, generic_plans 0). docs/benchmarks.md, session 11.
 */
const completeStatement = shapedStatement(
  (
    v: Record<
      'taskIds' | 'leaseTokens' | 'holderIds' | 'downloaded' | 'failed' | 'skipped' | 'summaries' | 'hashes',
      string
    >,
    fence: Fence,
    asJson: boolean,
    columns: TaskColumns,
  ) =>
    transitionStatement({
      from: Prisma.sql`unnest((SELECT ${v.taskIds}::uuid[]), (SELECT ${v.leaseTokens}::uuid[]),
      (SELECT ${v.holderIds}::uuid[]), (SELECT ${v.downloaded}::int[]),
      (SELECT ${v.failed}::int[]), (SELECT ${v.skipped}::int[]),
      (SELECT ${v.summaries}::jsonb[]),
      (SELECT ${v.hashes}::text[]))
      AS done("taskId", "leaseToken", "holderId", "documentsDownloaded", "documentsFailed", "documentsSkipped",
        "resultSummary", "completionHash")`,
      where: Prisma.sql`tasks.id = done."taskId" AND ${FENCES[fence]} AND tasks.status IN ('CLAIMED', 'RUNNING')`,
      set: Prisma.sql`status = 'COMPLETED', completed_at = now(), started_at = coalesce(started_at, claimed_at),
      lease_expires_at = NULL, documents_downloaded = done."documentsDownloaded",
      documents_failed = done."documentsFailed", documents_skipped = done."documentsSkipped",
      result_summary = done."resultSummary", completion_hash = done."completionHash"`,
      event: 'COMPLETED',
      asJson,
      eventData: Prisma.sql`jsonb_build_object('downloaded', moved.documents_downloaded, 'failed', moved.documents_failed,
      'skipped', moved.documents_skipped)`,
      alsoCtes: Prisma.sql`, credited AS (
      UPDATE clients SET tasks_completed = clients.tasks_completed + per_client.tasks,
        documents_downloaded = clients.documents_downloaded + per_client.documents, updated_at = now()
      FROM (SELECT lease_holder_id, count(*)::int AS tasks, sum(documents_downloaded)::int AS documents
            FROM moved GROUP BY lease_holder_id) per_client
      WHERE clients.id = per_client.lease_holder_id)`,
      columns,
    }),
);
