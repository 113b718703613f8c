// A follow's schedule: an interval (`45m`, `6h`, `1d`) or a five-field cron expression (UTC, parsed by
// cron-parser). Only the next time after "now" is ever asked for, so runs missed while no gate was up
// collapse into one run at start, never one per missed tick.
import { CronExpressionParser } from 'cron-parser';
import { badInput } from './errors.ts';

const INTERVAL = /^(\d+)\s*(m|h|d)$/i;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Shorter than this would re-count the registry more often than it changes. */
const MIN_INTERVAL_MS = 60_000;

export type Schedule = { kind: 'interval'; ms: number } | { kind: 'cron'; expression: string };

export function parseSchedule(text: string): Schedule {
  const value = text.trim();
  const interval = INTERVAL.exec(value);
  if (interval) {
    const ms = Number(interval[1]) * UNIT_MS[interval[2].toLowerCase() as keyof typeof UNIT_MS];
    if (ms < MIN_INTERVAL_MS) throw badInput('schedule: an interval is at least 1m');
    return { kind: 'interval', ms };
  }
  if (value.split(/\s+/).length !== 5)
    throw badInput(`schedule: "${text}" is neither an interval (30m, 6h, 1d) nor a five-field cron expression`);
  try {
    CronExpressionParser.parse(value, { tz: 'UTC' });
  } catch (error) {
    throw badInput(`schedule: "${text}" is not a cron expression (${(error as Error).message})`);
  }
  return { kind: 'cron', expression: value };
}

/** The first scheduled time after `now`. */
export function nextRunAfter(schedule: Schedule, now: Date): Date {
  if (schedule.kind === 'interval') return new Date(now.getTime() + schedule.ms);
  return CronExpressionParser.parse(schedule.expression, { currentDate: now, tz: 'UTC' }).next().toDate();
}
