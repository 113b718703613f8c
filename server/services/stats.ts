// Numbers for the stats query, the dashboard tiles and the throughput chart.
import { prisma } from '../db/database.ts';
import { throughputByMinute, type ThroughputBucket } from '../db/sql/throughput.ts';
import { TaskStatus } from '../generated/prisma/enums.ts';

export type { ThroughputBucket };

/** How many tasks of the whole table are in each status (every status present, zeros included). */
export async function countTasksByStatus(): Promise<Record<TaskStatus, number>> {
  const byStatus = await prisma.task.groupBy({ by: ['status'], _count: { _all: true } });
  const counts = Object.fromEntries(Object.values(TaskStatus).map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const row of byStatus) counts[row.status] = row._count._all;
  return counts;
}

/** The throughput window getStats uses for `minutes`: whole minutes, 1 to a day. */
export const statsWindow = (minutes: number) => Math.max(1, Math.min(24 * 60, Math.floor(minutes) || 1));

export async function getStats(minutes = 30) {
  const window = statsWindow(minutes);
  const [tasksByStatus, activeClients, documentsTotal, throughput] = await Promise.all([
    countTasksByStatus(),
    prisma.client.count({ where: { status: 'ACTIVE' } }),
    prisma.document.count(),
    throughputByMinute(window),
  ]);
  const lastFull = throughput.slice(-6, -1);
  return {
    tasksByStatus,
    tasksTotal: Object.values(tasksByStatus).reduce((a, b) => a + b, 0),
    activeClients,
    documentsTotal,
    /** documents per minute over the last five full minutes */
    documentsPerMinute: lastFull.length ? lastFull.reduce((a, b) => a + b.documents, 0) / lastFull.length : 0,
    throughput,
    at: new Date(),
  };
}
export type Stats = Awaited<ReturnType<typeof getStats>>;
