// Follow.coverage: a follow's calendar, day by day and month by month (services/follow-coverage.ts).
import {
  followCoverage,
  type FollowCoverage,
  type FollowCoverageDay,
  type FollowCoverageMonth,
} from '../services/follow-coverage.ts';
import { builder } from './builder.ts';
import { FollowWindowRef } from './follow.ts';

const FollowDayStateEnum = builder.enumType('FollowDayState', {
  description:
    "DOWNLOADED: its window is complete; PLANNED: its window's tasks are running, or it waits to be planned again; GAP: repaired as often as allowed and still short (see the window's reason); NOT_PLANNED: no run has planned it yet.",
  values: ['DOWNLOADED', 'PLANNED', 'GAP', 'NOT_PLANNED'] as const,
});

const DayRef = builder.objectRef<FollowCoverageDay>('FollowCoverageDay').implement({
  fields: (t) => ({
    date: t.exposeString('date', { description: 'adopted-on, YYYY-MM-DD' }),
    state: t.field({ type: FollowDayStateEnum, resolve: (d) => d.state }),
    windowFrom: t.exposeString('windowFrom', { nullable: true, description: 'the window the day belongs to' }),
  }),
});

const MonthRef = builder.objectRef<FollowCoverageMonth>('FollowCoverageMonth').implement({
  description: 'One month of the calendar: figures of the windows that start in it, and its days by state.',
  fields: (t) => ({
    month: t.exposeString('month', { description: 'YYYY-MM' }),
    expected: t.exposeInt('expected', { description: "the registry's latest totals" }),
    downloaded: t.exposeInt('downloaded', { description: 'what the gate has' }),
    missing: t.exposeInt('missing'),
    daysDownloaded: t.exposeInt('daysDownloaded'),
    daysPlanned: t.exposeInt('daysPlanned'),
    daysGap: t.exposeInt('daysGap'),
    daysNotPlanned: t.exposeInt('daysNotPlanned'),
  }),
});

const CoverageRef = builder.objectRef<FollowCoverage>('FollowCoverage').implement({
  description: "A follow's calendar from..to: every day's state, each month's figures, the gaps with their reasons.",
  fields: (t) => ({
    followId: t.exposeID('followId'),
    from: t.exposeString('from'),
    to: t.exposeString('to'),
    expected: t.exposeInt('expected'),
    downloaded: t.exposeInt('downloaded'),
    missing: t.exposeInt('missing'),
    gaps: t.exposeInt('gaps', { description: 'windows that ended as gaps' }),
    days: t.field({ type: [DayRef], resolve: (c) => c.days }),
    months: t.field({ type: [MonthRef], resolve: (c) => c.months }),
    gapWindows: t.field({ type: [FollowWindowRef], description: 'oldest first', resolve: (c) => c.gapWindows }),
  }),
});

builder.prismaObjectField('Follow', 'coverage', (t) =>
  t.field({
    type: CoverageRef,
    description:
      'The calendar day by day and month by month (default: from the start date to the last day a run planned, or today if none has run; at most 20,000 days).',
    args: {
      from: t.arg.string({ required: false, description: 'YYYY-MM-DD (not before the start date)' }),
      to: t.arg.string({ required: false, description: 'YYYY-MM-DD' }),
    },
    resolve: (f, args, ctx) => followCoverage(ctx.actor, f.id, args),
  }),
);
