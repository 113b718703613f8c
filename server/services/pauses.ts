// Pause and resume: the whole queue, one plan, one follow, or one worker (drain). A pause is a flag the claim
// statement reads (server/db/sql/claim-tasks.ts), so nothing paused is handed out and claiming costs no extra
// round trip. Work already leased goes on: pausing stops new claims, it does not take leases back (cancel does).
// Resuming needs no nudge: idle workers poll, and the next claim sees the flag gone.
import { prisma } from '../db/database.ts';
import { publishClientChanges } from '../events/notify.ts';
import type { Client, Follow, GateState, Plan } from '../generated/prisma/client.ts';
import { requireActor, requireAdmin, type Actor } from './actor.ts';
import { clientActingFor } from './clients.ts';
import { pauseFollow, resumeFollow } from './follows.ts';
import { getPlan } from './plans.ts';

export type PauseScope = 'QUEUE' | 'PLAN' | 'FOLLOW' | 'WORKER';

export interface QueueState {
  paused: boolean;
  pausedAt: Date | null;
}

const queueStateOf = (row: GateState | null): QueueState => ({
  paused: row?.queuePaused ?? false,
  pausedAt: row?.queuePausedAt ?? null,
});

export async function queueState(actor: Actor | null): Promise<QueueState> {
  requireActor(actor);
  return queueStateOf(await prisma.gateState.findUnique({ where: { id: 1 } }));
}

/** Pauses (true) or resumes (false) the whole queue: while paused, no worker claims anything. */
export async function setQueuePaused(actor: Actor | null, paused: boolean): Promise<QueueState> {
  requireAdmin(actor);
  const data = { queuePaused: paused, queuePausedAt: paused ? new Date() : null };
  return queueStateOf(await prisma.gateState.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data }));
}

/** A paused plan's tasks (its windows and every task planned from them) are not claimed. */
export async function setPlanPaused(actor: Actor | null, id: string, paused: boolean): Promise<Plan> {
  requireAdmin(actor);
  const plan = await getPlan(actor, id);
  return prisma.plan.update({
    where: { id: plan.id },
    data: { paused, pausedAt: paused ? new Date() : null },
  });
}

/** A paused follow neither runs on its schedule nor has its tasks claimed. */
export async function setFollowPaused(actor: Actor | null, id: string, paused: boolean): Promise<Follow> {
  return paused ? pauseFollow(actor, id) : resumeFollow(actor, id);
}

/** Drains a worker (paused: finishes the leases it holds, claims nothing new) or lets it claim again. */
export async function setWorkerPaused(actor: Actor | null, id: string, paused: boolean): Promise<Client> {
  const admin = requireAdmin(actor);
  const client = await clientActingFor(admin, id);
  const changed = await prisma.client.update({
    where: { id: client.id },
    data: { paused, pausedAt: paused ? new Date() : null, updatedAt: new Date() },
  });
  await publishClientChanges([client.id]);
  return changed;
}

export interface Pauses {
  queue: QueueState;
  plans: Plan[];
  follows: Follow[];
  workers: Client[];
}

/** Everything paused now (what `reyestr pause status` and the dashboard's banner show). */
export async function listPauses(actor: Actor | null): Promise<Pauses> {
  requireActor(actor);
  const [queue, plans, follows, workers] = await Promise.all([
    queueState(actor),
    prisma.plan.findMany({ where: { paused: true }, orderBy: { pausedAt: 'asc' } }),
    prisma.follow.findMany({ where: { paused: true }, orderBy: { createdAt: 'asc' } }),
    prisma.client.findMany({ where: { paused: true }, orderBy: { pausedAt: 'asc' } }),
  ]);
  return { queue, plans, follows, workers };
}
