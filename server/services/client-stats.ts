// Workers as operators (and the older REST API) list them: every client with its counters, and one
// client's task history in numbers.
import { prisma } from '../db/database.ts';
import type { Client } from '../generated/prisma/client.ts';
import { requireActor, type Actor } from './actor.ts';
import { GateError, notFound } from './errors.ts';
import { parseId } from './task-input.ts';

export async function listClients(actor: Actor | null): Promise<{ total: number; active: number; clients: Client[] }> {
  requireActor(actor);
  const clients = await prisma.client.findMany({ orderBy: [{ lastHeartbeatAt: 'desc' }, { id: 'asc' }] });
  return { total: clients.length, active: clients.filter((c) => c.status === 'ACTIVE').length, clients };
}

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

/** A client and the tasks it holds or last held. A worker key may read only its own clients; an admin any. */
export async function clientStatistics(
  actorOrNull: Actor | null,
  clientIdInput: string,
): Promise<{ client: Client; taskStatistics: ClientTaskStatistics }> {
  const actor = requireActor(actorOrNull);
  const clientId = parseId(clientIdInput, 'clientId');
  const client = await prisma.client.findUnique({ where: { id: clientId } });
  if (!client) throw notFound('client', clientId);
  if (actor.role !== 'ADMIN' && client.apiKeyId !== actor.keyId) {
    throw new GateError('FORBIDDEN', 'this client was registered with another API key');
  }
  const [s] = await prisma.$queryRaw<ClientTaskStatistics[]>`
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
  return { client, taskStatistics: s };
}
