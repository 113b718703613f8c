// Leases of clients that do not keep their lease token (the older REST clients): which client the caller
// is, and which lease token a task's holder would present. With the token known, every write goes through
// the same fenced service functions as GraphQL's.
import { prisma } from '../db/database.ts';
import type { Client } from '../generated/prisma/client.ts';
import { taskById } from '../db/sql/task-by-id.ts';
import type { TaskRow } from '../db/sql/task-row.ts';
import { requireActor, type Actor } from './actor.ts';
import { registerCache } from './caches.ts';
import { clientActingFor, registerClient } from './clients.ts';
import { GateError, notFound } from './errors.ts';
import { completeHeldTask, completeTask, failTask } from './leases.ts';
import { leaseLost } from './lease-lost.ts';
import { parseId } from './ids.ts';

/**
 * The client acting for this caller: `clientId` when given, else the client registered with the caller's key
 * (one per key for REST clients; with several, the one heard from last). With `registerAs`, a key without
 * a client gets one registered under that name; without it that is NOT_FOUND.
 */
export async function callerClient(
  actorOrNull: Actor | null,
  { clientId, registerAs }: { clientId?: string | null; registerAs?: string } = {},
): Promise<Client> {
  const actor = requireActor(actorOrNull);
  if (clientId) return clientActingFor(actor, clientId);
  const cacheKey = actor.keyId ?? '(no key)';
  const cached = clientOfKey.get(cacheKey);
  if (cached && cached.until > Date.now()) return cached.client;
  const client = await prisma.client.findFirst({
    where: { apiKeyId: actor.keyId },
    orderBy: { lastHeartbeatAt: 'desc' },
  });
  if (client?.status === 'DISABLED') throw new GateError('FORBIDDEN', 'Client is not active');
  if (client) {
    if (clientOfKey.size > 10_000) clientOfKey.clear();
    clientOfKey.set(cacheKey, { client, until: Date.now() + CLIENT_OF_KEY_MS });
    return client;
  }
  if (registerAs) return registerClient(actor, { name: registerAs }, { reuseAnyOfKey: true });
  throw new GateError('NOT_FOUND', 'no client is registered with this API key');
}

/**
 * Which client a key stands for, remembered briefly: the older REST clients send no client id, and looking it
 * up on every call was a third of a request→complete cycle's queries. Safe to be a few seconds stale: a claim
 * checks in its own statement that the client is not disabled, and every write is fenced by the lease.
 */
const CLIENT_OF_KEY_MS = 5_000;
const clientOfKey = registerCache(new Map<string, { client: Client; until: number }>());

/**
 * The lease token `client` holds on a task. With `leaseToken` given it is used as is (the service checks it
 * like any other). Without, the task's current token is used only if this client holds the lease — or
 * completed the task with it, so a repeated completion is recognised. Otherwise: NOT_FOUND (unknown task),
 * CONFLICT (never handed out), LEASE_LOST (this client held it once, but not any more), FORBIDDEN (never its task).
 */
export async function holderLeaseToken(
  client: Client,
  taskIdInput: string,
  leaseToken?: string | null,
): Promise<{ task: TaskRow; leaseToken: string }> {
  const taskId = parseId(taskIdInput, 'taskId');
  const task = await taskById(taskId);
  if (!task) throw notFound('task', taskId);
  if (leaseToken) return { task, leaseToken };
  if (task.leaseHolderId === client.id && task.leaseToken) return { task, leaseToken: task.leaseToken };
  if (!task.leaseHolderId) throw new GateError('CONFLICT', `task ${taskId} was never handed out`);
  const heldOnce =
    task.leaseHolderId === client.id ||
    (await prisma.taskEvent.count({ where: { taskId, type: 'CLAIMED', clientId: client.id } })) > 0;
  if (!heldOnce) throw new GateError('FORBIDDEN', 'Task does not belong to this client');
  throw leaseLost(task);
}

/**
 * The holder finishes a task without necessarily knowing its token: completes it, or with `errorMessage`
 * reports the attempt failed (retried by policy). Either repeated with the same body answers the same and
 * counts nothing twice. Answers with the task's id and status (what REST's answer says).
 */
export async function finishAsHolder(
  actor: Actor | null,
  client: Client,
  input: {
    taskId: string;
    leaseToken?: string | null;
    documentsDownloaded: number;
    documentsFailed: number;
    documentsSkipped: number;
    resultSummary?: unknown;
    errorMessage?: string | null;
  },
): Promise<Pick<TaskRow, 'id' | 'status'>> {
  const message = input.errorMessage?.trim();
  if (!message) {
    // Usually the caller still holds the lease: complete it in one statement; else find out why not below. (The
    // key columns are enough for the answer: the completion's statement returns no more.)
    if (!input.leaseToken) {
      const taskId = parseId(input.taskId, 'taskId');
      const done = await completeHeldTask(actor, client.id, { ...input, taskId }, 'key');
      if (done) return done;
    }
    const { task, leaseToken } = await holderLeaseToken(client, input.taskId, input.leaseToken);
    return completeTask(actor, { ...input, taskId: task.id, leaseToken }, 'key');
  }
  const taskId = parseId(input.taskId, 'taskId');
  const known = await prisma.task.findUnique({ where: { id: taskId } });
  const repeated =
    known?.leaseHolderId === client.id &&
    !known.leaseToken &&
    known.lastError === message &&
    known.lastErrorClass === HOLDER_FAILURE_CLASS &&
    ['PENDING', 'FAILED', 'DEAD'].includes(known.status);
  if (repeated) return known;
  const { task, leaseToken } = await holderLeaseToken(client, taskId, input.leaseToken);
  return failTask(actor, { taskId: task.id, leaseToken, errorClass: HOLDER_FAILURE_CLASS, message, retryable: true });
}

/** Clients that report only a message say nothing about its class. */
const HOLDER_FAILURE_CLASS = 'INTERNAL' as const;
