// Progress from the lease holder: absolute counters (so a repeated report changes nothing) and a fresh lease.
import { Prisma } from '../../generated/prisma/client.ts';
import { inSeconds, LEASED } from './task-row.ts';
import { transitionTasks } from './transition-tasks.ts';

export interface ProgressCounts {
  documentsDownloaded: number;
  documentsFailed: number;
  documentsSkipped: number;
  totalExpected?: number | null;
  /** the document the worker just finished or started, for the event log */
  documentId?: string | null;
}

export function reportProgress(taskId: string, leaseToken: string, counts: ProgressCounts, leaseSeconds: number) {
  return transitionTasks({
    where: Prisma.sql`id = ${taskId}::uuid AND lease_token = ${leaseToken}::uuid AND status IN ${LEASED}`,
    set: Prisma.sql`status = 'RUNNING', started_at = coalesce(started_at, now()),
      documents_downloaded = ${counts.documentsDownloaded}, documents_failed = ${counts.documentsFailed},
      documents_skipped = ${counts.documentsSkipped}, total_expected = coalesce(${counts.totalExpected ?? null}::int, total_expected),
      lease_expires_at = ${inSeconds(leaseSeconds)}`,
    event: 'PROGRESS',
    eventData: Prisma.sql`jsonb_build_object('downloaded', moved.documents_downloaded, 'failed', moved.documents_failed,
      'skipped', moved.documents_skipped, 'total', moved.total_expected, 'documentId', ${counts.documentId ?? null}::text)`,
  });
}
