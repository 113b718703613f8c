// Workers ("clients"): registration, who may act for which client, liveness.
import { z } from 'zod';
import { prisma } from '../db/database.ts';
import { markSilentClientsInactive as markSilentClientsSql } from '../db/sql/mark-silent-clients.ts';
import { touchClient as touchClientSql } from '../db/sql/touch-client.ts';
import type { Client } from '../generated/prisma/client.ts';
import type { ClientStatus } from '../generated/prisma/enums.ts';
import { requireActor, requireAdmin, type Actor } from './actor.ts';
import { GateError, notFound, parseInput } from './errors.ts';
import { publishClientChanges } from '../events/notify.ts';
import { policy } from './policy.ts';
import { idSchema, parseId } from './ids.ts';

const registration = z.object({
  name: z.string().trim().min(1).max(200),
  host: z.string().trim().max(255).nullish(),
  version: z.string().trim().max(100).nullish(),
  clientId: idSchema.nullish(),
});
export type ClientRegistration = z.input<typeof registration>;

/**
 * Registers a worker or refreshes its registration. With `clientId` the worker re-registers as itself.
 * Without it, an existing client of the same key is reused: by name, or — for the older REST clients,
 * whose contract is "same key, same client" — any client of that key (`reuseAnyOfKey`).
 */
export async function registerClient(
  actorOrNull: Actor | null,
  input: ClientRegistration,
  { reuseAnyOfKey = false } = {},
): Promise<Client> {
  const actor = requireActor(actorOrNull);
  const r = parseInput(registration, input);
  const fields = { name: r.name, host: r.host ?? null, version: r.version ?? null };
  let existing: Client | null = null;
  if (r.clientId) {
    existing = await clientActingFor(actor, r.clientId);
  } else if (actor.keyId || !reuseAnyOfKey) {
    existing = await prisma.client.findFirst({
      where: { apiKeyId: actor.keyId, ...(reuseAnyOfKey ? {} : { name: r.name }) },
      orderBy: { lastHeartbeatAt: 'desc' },
    });
  }
  if (existing?.status === 'DISABLED') throw new GateError('FORBIDDEN', 'Client is not active');
  const client = existing
    ? await prisma.client.update({
        where: { id: existing.id },
        data: { ...fields, status: 'ACTIVE', lastHeartbeatAt: new Date(), updatedAt: new Date() },
      })
    : await prisma.client.create({ data: { ...fields, apiKeyId: actor.keyId } });
  await publishClientChanges([client.id]);
  return client;
}

/** The client row, if this actor may act for it: admins for any, a worker key for the clients it registered. */
export async function clientActingFor(actor: Actor, clientIdInput: string): Promise<Client> {
  const clientId = parseId(clientIdInput, 'clientId');
  const client = await prisma.client.findUnique({ where: { id: clientId } });
  requireActingFor(actor, clientId, client);
  return client;
}

/** Refuses (GateError) unless the client found by `clientId` exists and this actor may act for it (see above). */
export function requireActingFor<C extends Pick<Client, 'apiKeyId' | 'status'>>(
  actor: Actor,
  clientId: string,
  client: C | null,
): asserts client is C {
  if (!client) throw notFound('client', clientId);
  if (actor.role !== 'ADMIN' && client.apiKeyId !== actor.keyId) {
    throw new GateError('FORBIDDEN', 'this client was registered with another API key');
  }
  if (client.status === 'DISABLED') throw new GateError('FORBIDDEN', 'Client is not active');
}

/** A sign of life: the client is active again and its heartbeat time is now. */
export async function touchClient(clientId: string): Promise<void> {
  const { wasInactive } = await touchClientSql(clientId);
  // Only status changes are worth a live event; a heartbeat's time is read when someone looks.
  if (wasInactive) await publishClientChanges([clientId]);
}

/**
 * A worker says goodbye as it stops cleanly: it is STOPPED at once, not ACTIVE until its heartbeat is
 * CLIENT_INACTIVE_SECONDS old (a killed one still becomes INACTIVE that way). Registering or a heartbeat makes it
 * ACTIVE again; a disabled worker stays DISABLED.
 */
export async function unregisterClient(actorOrNull: Actor | null, clientIdInput: string): Promise<Client> {
  const client = await clientActingFor(requireActor(actorOrNull), clientIdInput);
  const stopped = await prisma.client.update({
    where: { id: client.id },
    data: { status: 'STOPPED', updatedAt: new Date() },
  });
  await publishClientChanges([client.id]);
  return stopped;
}

/** Clients whose heartbeats stopped become INACTIVE (run by the sweeper). */
export async function markSilentClientsInactive(): Promise<string[]> {
  const ids = await markSilentClientsSql(policy.clientInactiveSeconds);
  if (ids.length) await publishClientChanges(ids);
  return ids;
}

/** An admin disables a worker (it can no longer claim) or enables it again. */
export async function setClientStatus(
  actor: Actor | null,
  clientIdInput: string,
  status: ClientStatus,
): Promise<Client> {
  requireAdmin(actor);
  const clientId = parseId(clientIdInput, 'clientId');
  const found = await prisma.client.findUnique({ where: { id: clientId } });
  if (!found) throw notFound('client', clientId);
  const client = await prisma.client.update({ where: { id: clientId }, data: { status, updatedAt: new Date() } });
  await publishClientChanges([clientId]);
  return client;
}

/** Which of these clients are disabled now. */
export async function disabledClientIds(clientIds: string[]): Promise<string[]> {
  if (!clientIds.length) return [];
  const rows = await prisma.client.findMany({
    where: { id: { in: clientIds }, status: 'DISABLED' },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
