// One run of a follow, in one transaction with the follow's row locked (so two gates, or a run by hand
// and the scheduler, never run it twice at once):
//   1. settle: windows whose round of tasks has all finished get the registry's total and what the gate
//      now has; short of the total, a window is planned again (REPAIR) up to MAX_REPAIRS times, then it
//      is a GAP with its reason — never an endless retry;
//   2. plan, through the ordinary planner (PLAN tasks that workers run; the gate never calls the registry):
//      the first run backfills from the start date in `window` units; every run plans the days since the
//      last one and re-counts the last `recountDays` days. A re-count PLAN task carries what the gate has
//      (`known`), so an unchanged day costs one search and plans nothing; a day that grew is planned again
//      whole and its workers skip the decisions the gate has (knownDocumentIds).
// Each run's tasks have keys of their own (`round`), so a day planned by an earlier run is planned again.
import { addIsoDays, rootTasks, windowsOf, type PlanOptions, type SearchParams } from '../../client/rules/index.ts';
import { prisma } from '../db/database.ts';
import { lockFollow, lockNextDueFollow } from '../db/sql/follow-rows.ts';
import { roundProgress, type RoundProgress } from '../db/sql/round-progress.ts';
import type { Follow, FollowRun, FollowWindow } from '../generated/prisma/client.ts';
import { requireAdmin, type Actor } from './actor.ts';
import { nextRunAfter, parseSchedule } from './follow-schedule.ts';
import { getFollow } from './follows.ts';
import { insertChildren, requirePlanOptions, type Tx } from './plans.ts';
import { policy } from './policy.ts';
import { publishFollowRun } from '../events/notify.ts';

/** A window short of the registry's total is planned again this many times before it is a gap. */
export const MAX_REPAIRS = 2;

export type RunTrigger = 'SCHEDULE' | 'MANUAL';

export interface RunSummary {
  /** windows planned for the first time */
  windowsNew: number;
  /** windows searched again to see whether they grew */
  windowsRecounted: number;
  /** short windows planned again */
  windowsRepaired: number;
  /** windows whose earlier round is still running (not planned again) */
  windowsInFlight: number;
  /** windows that became gaps at this run */
  gaps: number;
  /** PLAN tasks created */
  planTasks: number;
}

export interface RunResult {
  /** windows of this round settled so far */
  windowsSettled: number;
  windowsComplete: number;
  /** decisions downloaded by this round's tasks (documents the gate did not have) */
  newDocuments: number;
  /** documents of the round's windows the workers skipped as already there */
  knownDocuments: number;
  /** registry requests the round's tasks made: one search per PLAN task, result pages, decisions fetched */
  registryRequests: number;
  gaps: number;
  repairs: number;
}

const EMPTY_RESULT: RunResult = {
  windowsSettled: 0,
  windowsComplete: 0,
  newDocuments: 0,
  knownDocuments: 0,
  registryRequests: 0,
  gaps: 0,
  repairs: 0,
};

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

const requestsOf = (p: RoundProgress) => p.planTasks + p.pages + p.documentsDownloaded + p.documentsFailed;

function shortfallReason(total: number | null, have: number, p: RoundProgress): string {
  const what =
    total === null
      ? `the window's PLAN task ended ${p.rootStatus}`
      : `${total - have} of ${total} documents missing (${p.documentsFailed} failed, ${p.tasksFailed} task(s) failed)`;
  return p.lastError ? `${what}: ${p.lastError}` : what;
}

/** Settles the windows whose round has finished; adds each window's figures to its round's result. */
async function settle(follow: Follow, windows: FollowWindow[], tx: Tx): Promise<{ gaps: number; runs: FollowRun[] }> {
  const open = windows.filter((w) => (w.state === 'PLANNING' || w.state === 'REPAIR') && w.planTaskId);
  const progress = new Map(
    (
      await roundProgress(
        open.map((w) => w.planTaskId as string),
        tx,
      )
    ).map((p) => [p.rootId, p]),
  );
  const results = new Map<number, RunResult>();
  let gaps = 0;
  for (const w of open) {
    const p = progress.get(w.planTaskId as string);
    if (p && p.open > 0) continue;
    const result = results.get(w.round) ?? { ...EMPTY_RESULT };
    results.set(w.round, result);
    const total = p && p.rootStatus === 'COMPLETED' ? p.total : null;
    // A round that planned downloads read the whole window: downloaded + skipped is what the gate has now.
    const have = p && p.downloads > 0 ? p.documentsDownloaded + p.documentsSkipped : w.downloaded;
    let update: Partial<FollowWindow>;
    if (total !== null && have >= total) {
      update = { state: 'COMPLETE', expected: total, downloaded: have, reason: null };
      result.windowsComplete += 1;
    } else if (w.repairs < MAX_REPAIRS) {
      update = {
        state: 'REPAIR',
        expected: total ?? w.expected,
        downloaded: have,
        planTaskId: null,
        reason: p ? shortfallReason(total, have, p) : 'its PLAN task is gone',
      };
      result.repairs += 1;
    } else {
      update = {
        state: 'GAP',
        expected: total ?? w.expected,
        downloaded: have,
        reason: p ? shortfallReason(total, have, p) : 'its PLAN task is gone',
      };
      result.gaps += 1;
      gaps += 1;
    }
    if (p) {
      result.newDocuments += p.documentsDownloaded;
      result.knownDocuments += p.documentsSkipped;
      result.registryRequests += requestsOf(p);
    }
    result.windowsSettled += 1;
    Object.assign(w, update);
    await tx.followWindow.update({
      where: { followId_dateFrom: { followId: follow.id, dateFrom: w.dateFrom } },
      data: update,
    });
  }
  const runs: FollowRun[] = [];
  for (const [round, result] of results) {
    const run = await tx.followRun.findUnique({ where: { followId_round: { followId: follow.id, round } } });
    if (!run) continue;
    const before = { ...EMPTY_RESULT, ...(run.result as Partial<RunResult>) };
    const sum = Object.fromEntries(
      Object.entries(before).map(([k, v]) => [k, v + result[k as keyof RunResult]]),
    ) as unknown as RunResult;
    const stillOpen = windows.some(
      (w) => w.round === round && (w.state === 'PLANNING' || (w.state === 'REPAIR' && w.planTaskId)),
    );
    runs.push(
      await tx.followRun.update({
        where: { id: run.id },
        data: { result: sum as object, finishedAt: stillOpen ? null : new Date() },
      }),
    );
  }
  return { gaps, runs };
}

interface Candidate {
  from: string;
  to: string;
  known?: number;
  repair: boolean;
}

/** The windows this run plans, from the follow's calendar and today's date. */
function candidates(
  follow: Follow,
  windows: Map<string, FollowWindow>,
  today: string,
): { list: Candidate[]; inFlight: number } {
  const list: Candidate[] = [];
  let inFlight = 0;
  const recountFrom = [follow.startDate, addIsoDays(today, 1 - follow.recountDays)].sort()[1];
  const firstDay = follow.coveredTo ? [addIsoDays(follow.coveredTo, 1), recountFrom].sort()[0] : recountFrom;
  const ranges: Array<{ from: string; to: string }> = [];
  if (!follow.coveredTo && follow.startDate < recountFrom) {
    ranges.push(...windowsOf(follow.startDate, addIsoDays(recountFrom, -1), follow.window as 'month'));
  }
  if (firstDay <= today) ranges.push(...windowsOf(firstDay, today, 'day'));
  const seen = new Set<string>();
  for (const range of ranges) {
    seen.add(range.from);
    const w = windows.get(range.from);
    if (!w) list.push({ ...range, repair: false });
    else if (w.state === 'PLANNING' || (w.state === 'REPAIR' && w.planTaskId)) inFlight += 1;
    else if (w.state === 'COMPLETE') list.push({ from: w.dateFrom, to: w.dateTo, known: w.downloaded, repair: false });
    else if (w.state === 'REPAIR') list.push({ from: w.dateFrom, to: w.dateTo, repair: true });
  }
  for (const w of windows.values()) {
    if (!seen.has(w.dateFrom) && w.state === 'REPAIR' && !w.planTaskId)
      list.push({ from: w.dateFrom, to: w.dateTo, repair: true });
  }
  return { list, inFlight };
}

async function runLocked(
  follow: Follow,
  trigger: RunTrigger,
  now: Date,
  tx: Tx,
): Promise<{ run: FollowRun; settled: FollowRun[] }> {
  const calendar = await tx.followWindow.findMany({ where: { followId: follow.id } });
  const { gaps: gapsNow, runs: settled } = await settle(follow, calendar, tx);
  const round = follow.runs + 1;
  const today = isoDay(now);
  const windows = new Map(calendar.map((w) => [w.dateFrom, w]));
  const { list, inFlight } = candidates(follow, windows, today);
  const options = requirePlanOptions(follow.options);
  const summary: RunSummary = {
    windowsNew: 0,
    windowsRecounted: 0,
    windowsRepaired: 0,
    windowsInFlight: inFlight,
    gaps: gapsNow,
    planTasks: 0,
  };
  for (const c of list) {
    const windowOptions: PlanOptions = {
      ...options,
      round: `${follow.id}:${round}`,
      ...(c.known !== undefined ? { known: c.known } : {}),
    };
    const [root] = rootTasks({
      searchParams: follow.searchParams as SearchParams,
      from: c.from,
      to: c.to,
      window: null,
      options: windowOptions,
    });
    const [task] = await insertChildren(
      [root],
      { priority: follow.priority, maxAttempts: policy.maxAttempts, parentId: null, planId: null, followId: follow.id },
      windowOptions,
      tx,
    );
    const planTaskId =
      task?.id ?? (await tx.task.findUnique({ where: { dedupKey: root.dedupKey }, select: { id: true } }))?.id ?? null;
    summary.planTasks += task ? 1 : 0;
    const existing = windows.get(c.from);
    if (!existing) {
      summary.windowsNew += 1;
      await tx.followWindow.create({
        data: { followId: follow.id, dateFrom: c.from, dateTo: c.to, state: 'PLANNING', round, planTaskId },
      });
      continue;
    }
    if (c.repair) summary.windowsRepaired += 1;
    else summary.windowsRecounted += 1;
    await tx.followWindow.update({
      where: { followId_dateFrom: { followId: follow.id, dateFrom: c.from } },
      data: c.repair
        ? { state: 'REPAIR', round, planTaskId, repairs: { increment: 1 } }
        : { state: 'PLANNING', round, planTaskId },
    });
  }
  const coveredTo = follow.coveredTo && follow.coveredTo > today ? follow.coveredTo : today;
  await tx.follow.update({
    where: { id: follow.id },
    data: {
      runs: round,
      coveredTo: follow.startDate <= today ? coveredTo : follow.coveredTo,
      lastRunAt: now,
      nextRunAt: nextRunAfter(parseSchedule(follow.schedule), now),
    },
  });
  const run = await tx.followRun.create({ data: { followId: follow.id, round, trigger, summary: summary as object } });
  return { run, settled };
}

async function publish(done: { run: FollowRun; settled: FollowRun[] }): Promise<FollowRun> {
  for (const run of [...done.settled, done.run]) await publishFollowRun(run);
  return done.run;
}

/** Runs a follow now (by hand); the schedule goes on from now. */
export async function runFollow(actor: Actor | null, id: string, now = new Date()): Promise<FollowRun> {
  requireAdmin(actor);
  const follow = await getFollow(actor, id);
  const done = await prisma.$transaction(
    async (tx) => {
      await lockFollow(follow.id, tx);
      const locked = await tx.follow.findUniqueOrThrow({ where: { id: follow.id } });
      return runLocked(locked, 'MANUAL', now, tx);
    },
    { timeout: 60_000 },
  );
  return publish(done);
}

/** The scheduler's work: every due, unpaused follow runs once (each in its own transaction). */
export async function runDueFollows(now = new Date(), limit = 100): Promise<FollowRun[]> {
  const runs: FollowRun[] = [];
  for (let i = 0; i < limit; i++) {
    const done = await prisma.$transaction(
      async (tx) => {
        const id = await lockNextDueFollow(now, tx);
        if (!id) return null;
        const follow = await tx.follow.findUniqueOrThrow({ where: { id } });
        return runLocked(follow, 'SCHEDULE', now, tx);
      },
      { timeout: 60_000 },
    );
    if (!done) break;
    runs.push(await publish(done));
  }
  return runs;
}

/** Settles finished rounds between runs, so a run's result (and the calendar) is current without waiting for the next run. */
export async function settleFollows(): Promise<number> {
  const open = await prisma.followWindow.findMany({
    where: { state: { in: ['PLANNING', 'REPAIR'] }, planTaskId: { not: null } },
    distinct: ['followId'],
    select: { followId: true },
  });
  let settled = 0;
  for (const { followId } of open) {
    const runs = await prisma.$transaction(async (tx) => {
      if (!(await lockFollow(followId, tx))) return [];
      const follow = await tx.follow.findUniqueOrThrow({ where: { id: followId } });
      const calendar = await tx.followWindow.findMany({ where: { followId } });
      return (await settle(follow, calendar, tx)).runs;
    });
    for (const run of runs) await publishFollowRun(run);
    settled += runs.length;
  }
  return settled;
}
