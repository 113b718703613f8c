// Coverage of a plan: what its windows became — planned into download chunks, a gap, or still being
// planned — with the registry's expected count, what was planned and downloaded, and the chunks' task states.
// An operator proves a range complete with it, or sees exactly what is missing.
import {
  decideWindow,
  rootTasks,
  windowOfParams,
  type PlannedTask,
  type SearchParams,
} from '../../client/rules/index.ts';
import { countTasksByKeyGroups, tasksByKeys, type KeyedTask } from '../db/sql/plan-tasks.ts';
import type { Actor } from './actor.ts';
import { getPlan, requestOfPlan } from './plans.ts';

export type WindowState = 'PLANNING' | 'PLANNED' | 'GAP' | 'FAILED' | 'MISSING';

export interface CoverageWindow {
  /** adopted-on range, ISO */
  from: string;
  to: string;
  /** split-field values that narrow this window (e.g. {"VRType":["5"]}), beyond the plan's own params */
  narrowedBy: SearchParams;
  planTaskId: string | null;
  state: WindowState;
  /** the registry's total for this window (known once planned) */
  expected: number | null;
  /** documents the window's download tasks cover */
  planned: number;
  /** documents stored by its download tasks (every attempt counts: a document is stored once) */
  downloaded: number;
  /** documents its completed download tasks skipped because another task had stored them */
  skipped: number;
  /** planned documents neither downloaded nor skipped (failed, or their tasks not done yet) */
  missing: number;
  chunks: number;
  /** chunks whose task cannot be found (should be 0) */
  chunksMissing: number;
  tasksPending: number;
  tasksRunning: number;
  tasksCompleted: number;
  tasksFailed: number;
  tasksCancelled: number;
  complete: boolean;
}

export interface Coverage {
  plan: Awaited<ReturnType<typeof getPlan>>;
  windows: CoverageWindow[];
  expected: number;
  planned: number;
  downloaded: number;
  skipped: number;
  missing: number;
  gaps: number;
  windowsPlanning: number;
  tasksPending: number;
  tasksRunning: number;
  tasksCompleted: number;
  tasksFailed: number;
  /** every window planned, no gap, every chunk downloaded */
  complete: boolean;
}

const PLANNING = new Set(['PENDING', 'CLAIMED', 'RUNNING']);

function narrowing(params: SearchParams, base: SearchParams): SearchParams {
  return Object.fromEntries(
    Object.entries(params).filter(
      ([name, value]) =>
        !['RegDateBegin', 'RegDateEnd', 'Sort'].includes(name) && JSON.stringify(value) !== JSON.stringify(base[name]),
    ),
  );
}

/**
 * What a plan's windows became, walked from its root windows by dedup key: split windows are replaced by
 * their children, so every row is a leaf — planned (download chunks), a gap, or still being planned.
 */
export async function planCoverage(actor: Actor | null, id: string): Promise<Coverage> {
  const plan = await getPlan(actor, id);
  const request = requestOfPlan(plan);
  const options = request.options;
  const windows: CoverageWindow[] = [];
  const chunkKeys: string[] = [];
  const chunkGroups: number[] = [];
  let level: PlannedTask[] = rootTasks(request);
  while (level.length) {
    const found = new Map<string, KeyedTask>();
    for (let i = 0; i < level.length; i += 5000) {
      for (const row of await tasksByKeys(level.slice(i, i + 5000).map((t) => t.dedupKey)))
        found.set(row.dedupKey, row);
    }
    const next: PlannedTask[] = [];
    for (const planned of level) {
      const row = found.get(planned.dedupKey);
      const w = windowOfParams(planned.searchParams);
      const window: CoverageWindow = {
        from: w.from,
        to: w.to,
        narrowedBy: narrowing(planned.searchParams, request.searchParams),
        planTaskId: row?.id ?? null,
        state: 'MISSING',
        expected: null,
        planned: 0,
        downloaded: 0,
        skipped: 0,
        missing: 0,
        chunks: 0,
        chunksMissing: 0,
        tasksPending: 0,
        tasksRunning: 0,
        tasksCompleted: 0,
        tasksFailed: 0,
        tasksCancelled: 0,
        complete: false,
      };
      if (row && row.status === 'COMPLETED') {
        const total = (row.resultSummary as { total?: number } | null)?.total ?? row.totalExpected ?? 0;
        const decision = decideWindow({ searchParams: planned.searchParams, total, options });
        if (decision.outcome === 'SPLIT_WINDOW' || decision.outcome === 'SPLIT_FIELD') {
          next.push(...decision.children);
          continue;
        }
        window.expected = total;
        window.state = decision.outcome === 'GAP' ? 'GAP' : 'PLANNED';
        window.planned = decision.planned;
        window.chunks = decision.children.length;
        for (const chunk of decision.children) {
          chunkKeys.push(chunk.dedupKey);
          chunkGroups.push(windows.length);
        }
      } else if (row) {
        window.state = PLANNING.has(row.status) ? 'PLANNING' : 'FAILED';
      }
      windows.push(window);
    }
    level = next;
  }
  for (let i = 0; i < chunkKeys.length; i += 20_000) {
    for (const count of await countTasksByKeyGroups(chunkKeys.slice(i, i + 20_000), chunkGroups.slice(i, i + 20_000))) {
      const window = windows[count.group];
      window.downloaded += count.downloaded;
      window.skipped += count.skipped;
      if (count.status === 'PENDING') window.tasksPending += count.tasks;
      else if (count.status === 'CLAIMED' || count.status === 'RUNNING') window.tasksRunning += count.tasks;
      else if (count.status === 'COMPLETED') window.tasksCompleted += count.tasks;
      else if (count.status === 'CANCELLED') window.tasksCancelled += count.tasks;
      else window.tasksFailed += count.tasks;
    }
  }
  for (const window of windows) {
    const found =
      window.tasksPending + window.tasksRunning + window.tasksCompleted + window.tasksFailed + window.tasksCancelled;
    window.chunksMissing = window.chunks - found;
    window.missing = Math.max(0, window.planned - window.downloaded - window.skipped);
    window.complete = window.state === 'PLANNED' && window.tasksCompleted === window.chunks;
  }
  windows.sort(
    (a, b) => a.from.localeCompare(b.from) || JSON.stringify(a.narrowedBy).localeCompare(JSON.stringify(b.narrowedBy)),
  );
  const sum = (pick: (w: CoverageWindow) => number) => windows.reduce((total, w) => total + pick(w), 0);
  return {
    plan,
    windows,
    expected: sum((w) => w.expected ?? 0),
    planned: sum((w) => w.planned),
    downloaded: sum((w) => w.downloaded),
    skipped: sum((w) => w.skipped),
    missing: sum((w) => w.missing),
    gaps: windows.filter((w) => w.state === 'GAP').length,
    windowsPlanning: windows.filter((w) => w.state === 'PLANNING' || w.state === 'MISSING' || w.state === 'FAILED')
      .length,
    tasksPending: sum((w) => w.tasksPending),
    tasksRunning: sum((w) => w.tasksRunning),
    tasksCompleted: sum((w) => w.tasksCompleted),
    tasksFailed: sum((w) => w.tasksFailed),
    complete: windows.every((w) => w.complete),
  };
}
