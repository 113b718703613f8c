// A follow's coverage: its calendar day by day (downloaded, planned, gap, not planned) and month by month
// (the registry's expected count, what the gate has, what is missing), from the windows its runs left
// (follow_windows). `reyestr coverage --follow` and the dashboard's follows view read it.
import { addIsoDays } from '../../client/rules/index.ts';
import type { Follow, FollowWindow } from '../generated/prisma/client.ts';
import type { Actor } from './actor.ts';
import { badInput } from './errors.ts';
import { followWindows, getFollow } from './follows.ts';

/**
 * DOWNLOADED: its window is complete; PLANNED: its window's tasks are running or it waits to be planned
 * again (REPAIR); GAP: its window was repaired as often as allowed and is still short; NOT_PLANNED: no run
 * has planned the day yet (before the first run, or after the latest).
 */
export type FollowDayState = 'DOWNLOADED' | 'PLANNED' | 'GAP' | 'NOT_PLANNED';

export interface FollowCoverageDay {
  date: string;
  state: FollowDayState;
  /** the window the day belongs to (its first day), when one does */
  windowFrom: string | null;
}

export interface FollowCoverageMonth {
  /** YYYY-MM */
  month: string;
  /** the registry's latest totals of the windows that start in this month (a window wider than a month counts where it starts) */
  expected: number;
  downloaded: number;
  missing: number;
  daysDownloaded: number;
  daysPlanned: number;
  daysGap: number;
  daysNotPlanned: number;
}

export interface FollowCoverage {
  followId: string;
  from: string;
  to: string;
  expected: number;
  downloaded: number;
  missing: number;
  /** windows that ended as gaps */
  gaps: number;
  days: FollowCoverageDay[];
  months: FollowCoverageMonth[];
  /** the gap windows with their reasons, oldest first */
  gapWindows: FollowWindow[];
}

/** At most this many days in one answer (a follow from 2006 to today is about 7,300). */
export const MAX_COVERAGE_DAYS = 20_000;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const today = () => new Date().toISOString().slice(0, 10);

function dayState(window: FollowWindow | undefined): FollowDayState {
  if (!window) return 'NOT_PLANNED';
  if (window.state === 'COMPLETE') return 'DOWNLOADED';
  if (window.state === 'GAP') return 'GAP';
  return 'PLANNED';
}

const missingOf = (w: FollowWindow) => Math.max(0, (w.expected ?? 0) - w.downloaded);

/** The calendar of `follow` from..to (defaults: its start date .. the last day a run planned, or today). */
export function coverageOf(
  follow: Follow,
  windows: FollowWindow[],
  range: { from?: string | null; to?: string | null } = {},
): FollowCoverage {
  for (const [name, value] of Object.entries(range))
    if (value && !ISO_DAY.test(value)) throw badInput(`${name}: YYYY-MM-DD`);
  const from = range.from && range.from > follow.startDate ? range.from : follow.startDate;
  const to = range.to ?? follow.coveredTo ?? today();
  const byDay = new Map<string, FollowWindow>();
  for (const w of windows) for (let d = w.dateFrom; d <= w.dateTo; d = addIsoDays(d, 1)) byDay.set(d, w);
  const days: FollowCoverageDay[] = [];
  const months = new Map<string, FollowCoverageMonth>();
  const monthOf = (iso: string) => {
    const key = iso.slice(0, 7);
    let month = months.get(key);
    if (!month) {
      month = {
        month: key,
        expected: 0,
        downloaded: 0,
        missing: 0,
        daysDownloaded: 0,
        daysPlanned: 0,
        daysGap: 0,
        daysNotPlanned: 0,
      };
      months.set(key, month);
    }
    return month;
  };
  for (let d = from; d <= to; d = addIsoDays(d, 1)) {
    if (days.length >= MAX_COVERAGE_DAYS) throw badInput(`at most ${MAX_COVERAGE_DAYS} days at once: narrow from/to`);
    const w = byDay.get(d);
    const state = dayState(w);
    days.push({ date: d, state, windowFrom: w?.dateFrom ?? null });
    const month = monthOf(d);
    if (state === 'DOWNLOADED') month.daysDownloaded += 1;
    else if (state === 'PLANNED') month.daysPlanned += 1;
    else if (state === 'GAP') month.daysGap += 1;
    else month.daysNotPlanned += 1;
  }
  const shown = windows.filter((w) => w.dateFrom >= from && w.dateFrom <= to);
  for (const w of shown) {
    const month = monthOf(w.dateFrom);
    month.expected += w.expected ?? 0;
    month.downloaded += w.downloaded;
    month.missing += missingOf(w);
  }
  const list = [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
  return {
    followId: follow.id,
    from,
    to,
    expected: list.reduce((sum, m) => sum + m.expected, 0),
    downloaded: list.reduce((sum, m) => sum + m.downloaded, 0),
    missing: list.reduce((sum, m) => sum + m.missing, 0),
    gaps: shown.filter((w) => w.state === 'GAP').length,
    days,
    months: list,
    gapWindows: shown.filter((w) => w.state === 'GAP'),
  };
}

export async function followCoverage(
  actor: Actor | null,
  id: string,
  range: { from?: string | null; to?: string | null } = {},
): Promise<FollowCoverage> {
  const follow = await getFollow(actor, id);
  return coverageOf(follow, await followWindows(actor, follow.id), range);
}
