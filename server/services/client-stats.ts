// Workers as operators (and the older REST API) list them: every client with its counters, and one
// client's task history in numbers.
import { prisma } from '../db/database.ts';
import { clientTaskStatistics, type ClientTaskStatistics } from '../db/sql/client-task-statistics.ts';
import type { Client } from '../generated/prisma/client.ts';
import { requireActor, type Actor } from './actor.ts';
import { GateError, notFound } from './errors.ts';
import { parseId } from './ids.ts';

export async function listClients(actor: Actor | null): Promise<{ total: number; active: number; clients: Client[] }> {
  requireActor(actor);
  const clients = await prisma.client.findMany({ orderBy: [{ lastHeartbeatAt: 'desc' }, { id: 'asc' }] });
  return { total: clients.length, active: clients.filter((c) => c.status === 'ACTIVE').length, clients };
}

export type { ClientTaskStatistics };

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
  return { client, taskStatistics: await clientTaskStatistics(clientId) };
}
