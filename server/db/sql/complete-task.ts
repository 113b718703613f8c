// Completion by the lease holder, for one task or a batch in one statement. The fencing check (token +
// leased status) and the client's credit happen in the same statement as the state change, so a stale
// holder changes nothing and counters count once.
import { Prisma } from '../../generated/prisma/client.ts';
import { arrayLiteral } from './array-literal.ts';
import type { TaskColumns } from './task-row.ts';
import { FEW_ROWS, transitionTasks } from './transition-tasks.ts';

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
  return complete(completions, Prisma.sql`tasks.lease_token = done."leaseToken"`, columns);
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
  return complete(completions, Prisma.sql`tasks.lease_holder_id = done."holderId"`, columns);
}

function complete<C extends TaskColumns = 'whole'>(
  completions: Array<Omit<Completion, 'leaseToken'> & { leaseToken?: string; holderId?: string }>,
  fence: Prisma.Sql,
  columns?: C,
) {
  // The input as one array per column, not one jsonb document: PostgreSQL estimates unnest's rows from its arrays,
  // so the UPDATE finds each task by its primary key whatever the table's size (jsonb_to_recordset is estimated at
  // 100 rows whatever it holds: on a tasks table of a few thousand rows that planned a seq scan of tasks per
  // completion, kept in the connection's cached plan as the table grew). Each array is a sub-select so that the
  // estimate (10 rows) is the same whether the plan is made for these values or for any: otherwise a plan made for
  // one or two completions looks cheaper than the generic one and PostgreSQL plans the statement again at every
  // call (pg_prepared_statements: custom_plans 30, generic_plans 0). docs/benchmarks.md, session 11.
  const column = (type: string, value: (c: (typeof completions)[number]) => string | number | null) =>
    Prisma.sql`(SELECT ${arrayLiteral(completions.map(value))}::${Prisma.raw(type)}[])`;
  return transitionTasks({
    from: Prisma.sql`unnest(${column('uuid', (c) => c.taskId)}, ${column('uuid', (c) => c.leaseToken ?? null)},
      ${column('uuid', (c) => c.holderId ?? null)}, ${column('int', (c) => c.documentsDownloaded)},
      ${column('int', (c) => c.documentsFailed)}, ${column('int', (c) => c.documentsSkipped)},
      ${column('jsonb', (c) => (c.resultSummary == null ? null : JSON.stringify(c.resultSummary)))},
      ${column('text', (c) => c.completionHash)})
      AS done("taskId", "leaseToken", "holderId", "documentsDownloaded", "documentsFailed", "documentsSkipped",
        "resultSummary", "completionHash")`,
    where: Prisma.sql`tasks.id = done."taskId" AND ${fence} AND tasks.status IN ('CLAIMED', 'RUNNING')`,
    set: Prisma.sql`status = 'COMPLETED', completed_at = now(), started_at = coalesce(started_at, claimed_at),
      lease_expires_at = NULL, documents_downloaded = done."documentsDownloaded",
      documents_failed = done."documentsFailed", documents_skipped = done."documentsSkipped",
      result_summary = done."resultSummary", completion_hash = done."completionHash"`,
    event: 'COMPLETED',
    asJson: completions.length <= FEW_ROWS,
    eventData: Prisma.sql`jsonb_build_object('downloaded', moved.documents_downloaded, 'failed', moved.documents_failed,
      'skipped', moved.documents_skipped)`,
    alsoCtes: Prisma.sql`, credited AS (
      UPDATE clients SET tasks_completed = clients.tasks_completed + per_client.tasks,
        documents_downloaded = clients.documents_downloaded + per_client.documents, updated_at = now()
      FROM (SELECT lease_holder_id, count(*)::int AS tasks, sum(documents_downloaded)::int AS documents
            FROM moved GROUP BY lease_holder_id) per_client
      WHERE clients.id = per_client.lease_holder_id)`,
    columns,
  });
}
