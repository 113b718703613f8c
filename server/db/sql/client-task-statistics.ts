// One client's task history in numbers: every task it holds or last held, counted by status, with the
// documents those tasks reported and when the first and last were claimed.
import { prisma } from '../database.ts';

export interface ClientTaskStatistics {
  totalTasks: number;
  completedTasks: number;
  inProgressTasks: number;
  failedTasks: number;
  pendingTasks: number;
  totalDocsFromTasks: number;
  totalDocsFailed: number;
  totalDocsSkipped: number;
  firstTaskDate: Date | null;
  lastTaskDate: Date | null;
}

export async function clientTaskStatistics(clientId: string): Promise<ClientTaskStatistics> {
  const [statistics] = await prisma.$queryRaw<ClientTaskStatistics[]>`
    SELECT count(*)::int AS "totalTasks",
      count(*) FILTER (WHERE status = 'COMPLETED')::int AS "completedTasks",
      count(*) FILTER (WHERE status IN ('CLAIMED', 'RUNNING'))::int AS "inProgressTasks",
      count(*) FILTER (WHERE status IN ('FAILED', 'DEAD'))::int AS "failedTasks",
      count(*) FILTER (WHERE status = 'PENDING')::int AS "pendingTasks",
      coalesce(sum(documents_downloaded), 0)::int AS "totalDocsFromTasks",
      coalesce(sum(documents_failed), 0)::int AS "totalDocsFailed",
      coalesce(sum(documents_skipped), 0)::int AS "totalDocsSkipped",
      min(claimed_at) AS "firstTaskDate", max(claimed_at) AS "lastTaskDate"
    FROM tasks WHERE lease_holder_id = ${clientId}::uuid`;
  return statistics;
}
