// Completion by the lease holder. The fencing check (token + leased status) and the client's credit happen
// in the same statement as the state change, so a stale holder changes nothing and counters count once.
import { Prisma } from '../../generated/prisma/client.ts';
import { LEASED } from './task-row.ts';
import { transitionTasks } from './transition-tasks.ts';

export interface Completion {
  documentsDownloaded: number;
  documentsFailed: number;
  documentsSkipped: number;
  resultSummary: unknown;
  /** sha256 of the request, to recognise a repeat */
  completionHash: string;
}

export function completeTask(taskId: string, leaseToken: string, c: Completion) {
  return transitionTasks({
    where: Prisma.sql`id = ${taskId}::uuid AND lease_token = ${leaseToken}::uuid AND status IN ${LEASED}`,
    set: Prisma.sql`status = 'COMPLETED', completed_at = now(), started_at = coalesce(started_at, claimed_at),
      lease_expires_at = NULL, documents_downloaded = ${c.documentsDownloaded},
      documents_failed = ${c.documentsFailed}, documents_skipped = ${c.documentsSkipped},
      result_summary = ${JSON.stringify(c.resultSummary ?? null)}::jsonb, completion_hash = ${c.completionHash}`,
    event: 'COMPLETED',
    eventData: Prisma.sql`jsonb_build_object('downloaded', moved.documents_downloaded, 'failed', moved.documents_failed,
      'skipped', moved.documents_skipped)`,
    alsoCtes: Prisma.sql`, credited AS (
      UPDATE clients SET tasks_completed = clients.tasks_completed + 1,
        documents_downloaded = clients.documents_downloaded + moved.documents_downloaded, updated_at = now()
      FROM moved WHERE clients.id = moved.lease_holder_id)`,
  });
}
