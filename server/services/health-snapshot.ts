// The queue's health in one read: what /metrics shows at scrape time and what the alert monitor
// (server/observability/alert-monitor.ts) judges. Whole-database numbers, the same from every gate.
import { prisma } from '../db/database.ts';
import { countTasksByStatus } from './stats.ts';

export interface HealthSnapshot {
  byStatus: Awaited<ReturnType<typeof countTasksByStatus>>;
  /** PENDING tasks a worker could claim now (not waiting out a retry delay) */
  ready: number;
  activeClients: number;
  documents: number;
  /** the newest heartbeat of any worker not disabled; null when there is none */
  newestHeartbeat: Date | null;
}

export async function readHealthSnapshot(): Promise<HealthSnapshot> {
  const [byStatus, ready, activeClients, documents, heartbeat] = await Promise.all([
    countTasksByStatus(),
    prisma.task.count({ where: { status: 'PENDING', runAt: { lte: new Date() } } }),
    prisma.client.count({ where: { status: 'ACTIVE' } }),
    prisma.document.count(),
    prisma.client.aggregate({ _max: { lastHeartbeatAt: true }, where: { status: { not: 'DISABLED' } } }),
  ]);
  return { byStatus, ready, activeClients, documents, newestHeartbeat: heartbeat._max.lastHeartbeatAt };
}
