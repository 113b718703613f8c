// Follows: a search the gate keeps current. An operator says once "follow region 11 from 2020 on, every
// 6 hours"; the scheduler (server/scheduler.ts) runs each due follow (follow-runs.ts), which plans new days,
// re-counts the recent ones and repairs short windows through the ordinary planner.
//   createFollow, listFollows, getFollow, pauseFollow, resumeFollow, deleteFollow   (here)
//   runFollow (now, by hand), runDueFollows (the scheduler), settleFollows        (follow-runs.ts)
import { z } from 'zod';
import type { Follow, FollowRun, FollowWindow } from '../generated/prisma/client.ts';
import { prisma } from '../db/database.ts';
import { requireActor, requireAdmin, type Actor } from './actor.ts';
import { badInput, notFound, orDefault, parseInput } from './errors.ts';
import { parseId } from './ids.ts';
import { nextRunAfter, parseSchedule } from './follow-schedule.ts';
import { planRequestOf } from './plans.ts';

export type { Follow, FollowRun, FollowWindow };

export const DEFAULT_RECOUNT_DAYS = 30;
export const MAX_RECOUNT_DAYS = 366;

const createFollowInput = z.object({
  searchParams: z.unknown().optional(),
  startDate: z.string().min(1).max(20),
  schedule: z.string().min(1).max(100),
  recountDays: orDefault(z.number().int().min(0).max(MAX_RECOUNT_DAYS), DEFAULT_RECOUNT_DAYS),
  window: orDefault(z.string().max(10), 'month'),
  chunkSize: z.number().int().nullish(),
  pageBudget: z.number().int().nullish(),
  splitFields: z.array(z.string().max(40)).max(10).nullish(),
  priority: orDefault(z.number().int().min(-1000).max(1000), 0),
});
export type CreateFollowInput = z.input<typeof createFollowInput>;

/** A new follow is due at once: its first run plans everything from the start date. */
export async function createFollow(actor: Actor | null, input: CreateFollowInput, now = new Date()): Promise<Follow> {
  requireAdmin(actor);
  const parsed = parseInput(createFollowInput, input);
  const schedule = parseSchedule(parsed.schedule);
  // The plan rules check params, the start date and the options; the range end is the start itself here.
  const request = planRequestOf({ ...parsed, from: parsed.startDate, to: parsed.startDate });
  if (request.window === null) throw badInput('window: day, week, month or year');
  nextRunAfter(schedule, now);
  return prisma.follow.create({
    data: {
      searchParams: request.searchParams as object,
      startDate: request.from,
      schedule: parsed.schedule.trim(),
      recountDays: parsed.recountDays,
      window: request.window,
      options: request.options as object,
      priority: parsed.priority,
      nextRunAt: now,
    },
  });
}

export async function getFollow(actor: Actor | null, id: string): Promise<Follow> {
  requireActor(actor);
  const followId = parseId(id, 'followId');
  const follow = await prisma.follow.findUnique({ where: { id: followId } });
  if (!follow) throw notFound('follow', followId);
  return follow;
}

export async function listFollows(actor: Actor | null, limit = 100): Promise<Follow[]> {
  requireActor(actor);
  return prisma.follow.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: parseInput(z.number().int().min(1).max(1000), limit),
  });
}

/** A paused follow does not run, and its tasks are not claimed (server/db/sql/claim-tasks.ts). */
export async function pauseFollow(actor: Actor | null, id: string): Promise<Follow> {
  requireAdmin(actor);
  const follow = await getFollow(actor, id);
  return prisma.follow.update({ where: { id: follow.id }, data: { paused: true } });
}

/** A follow resumed after its time passed runs once at the next tick (not once per run it missed). */
export async function resumeFollow(actor: Actor | null, id: string): Promise<Follow> {
  requireAdmin(actor);
  const follow = await getFollow(actor, id);
  return prisma.follow.update({ where: { id: follow.id }, data: { paused: false } });
}

/** Deletes the follow, its calendar and run log; tasks already planned stay (they are ordinary tasks). */
export async function deleteFollow(actor: Actor | null, id: string): Promise<Follow> {
  requireAdmin(actor);
  const follow = await getFollow(actor, id);
  await prisma.follow.delete({ where: { id: follow.id } });
  return follow;
}

export async function followWindows(actor: Actor | null, id: string): Promise<FollowWindow[]> {
  const follow = await getFollow(actor, id);
  return prisma.followWindow.findMany({ where: { followId: follow.id }, orderBy: { dateFrom: 'asc' } });
}

export async function followRuns(actor: Actor | null, id: string, limit = 20): Promise<FollowRun[]> {
  const follow = await getFollow(actor, id);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badInput('last: 1..1000');
  return prisma.followRun.findMany({ where: { followId: follow.id }, orderBy: { round: 'desc' }, take: limit });
}
