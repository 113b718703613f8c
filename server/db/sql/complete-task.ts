// Completion by the lease holder, for one task or a batch in one statement. The fencing check (token +
// leased status) and the client's credit happen in the same statement as the state change, so a stale
// holder changes nothing and counters count once.
import { Prisma } from '../../generated/prisma/client.ts';
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

export function completeTasks(completions: Completion[]) {
  return complete(completions, Prisma.sql`tasks.lease_token = done."leaseToken"`);
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
export function completeHeldTasks(completions: HeldCompletion[]) {
  return complete(completions, Prisma.sql`tasks.lease_holder_id = done."holderId"`);
}

function complete(completions: Array<Omit<Completion, 'leaseToken'>>, fence: Prisma.Sql) {
  return transitionTasks({
    from: Prisma.sql`jsonb_to_recordset(${JSON.stringify(completions)}::jsonb) AS done("taskId" uuid, "leaseToken" uuid,
      "holderId" uuid, "documentsDownloaded" int, "documentsFailed" int, "documentsSkipped" int, "resultSummary" jsonb,
      "completionHash" text)`,
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
  });
}
