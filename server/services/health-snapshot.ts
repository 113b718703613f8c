// The queue's health in one read: what /metrics shows at scrape time and what the alert monitor
// (server/observability/alert-monitor.ts) judges. Whole-database numbers, the same from every gate.
import { prisma } from '../db/database.ts';
import { newestHeartbeat } from '../db/sql/newest-heartbeat.ts';
import { countTasksByStatus } from './stats.ts';

export interface HealthSnapshot {
  byStatus: Awaited<ReturnType<typeof countTasksByStatus>>;
  /** PENDING tasks a worker could claim now (not waiting out a retry delay) */
  ready: number;
  activeClients: number;
  documents: number;
  /** the newest heartbeat of any worker not disabled, and its age by the database's clock; null: no worker */
  newestHeartbeat: { at: Date; ageMs: number } | null;
}

export async function readHealthSnapshot(): Promise<HealthSnapshot> {
  const [byStatus, ready, activeClients, documents, heartbeat] = await Promise.all([
    countTasksByStatus(),
    prisma.task.count({ where: { status: 'PENDING', runAt: { lte: new Date() } } }),
    prisma.client.count({ where: { status: 'ACTIVE' } }),
    prisma.document.count(),
    newestHeartbeat(),
  ]);
  return { byStatus, ready, activeClients, documents, newestHeartbeat: heartbeat };
}
