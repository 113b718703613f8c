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
  description: 'One day of the calendar and where it stands.',
  fields: (t) => ({
    date: t.exposeString('date', { description: 'adopted-on, YYYY-MM-DD' }),
    state: t.field({
      type: FollowDayStateEnum,
      description: 'downloaded, planned, a gap, or not planned yet',
      resolve: (d) => d.state,
    }),
    windowFrom: t.exposeString('windowFrom', { nullable: true, description: 'the window the day belongs to' }),
  }),
});

const MonthRef = builder.objectRef<FollowCoverageMonth>('FollowCoverageMonth').implement({
  description: 'One month of the calendar: figures of the windows that start in it, and its days by state.',
  fields: (t) => ({
    month: t.exposeString('month', { description: 'YYYY-MM' }),
    expected: t.exposeInt('expected', { description: "the registry's latest totals" }),
    downloaded: t.exposeInt('downloaded', { description: 'what the gate has' }),
    missing: t.exposeInt('missing', { description: 'documents the registry counts that the gate does not have' }),
    daysDownloaded: t.exposeInt('daysDownloaded', { description: 'its days in state DOWNLOADED' }),
    daysPlanned: t.exposeInt('daysPlanned', { description: 'its days in state PLANNED' }),
    daysGap: t.exposeInt('daysGap', { description: 'its days in state GAP' }),
    daysNotPlanned: t.exposeInt('daysNotPlanned', { description: 'its days in state NOT_PLANNED' }),
  }),
});

const CoverageRef = builder.objectRef<FollowCoverage>('FollowCoverage').implement({
  description: "A follow's calendar from..to: every day's state, each month's figures, the gaps with their reasons.",
  fields: (t) => ({
    followId: t.exposeID('followId', { description: 'the follow' }),
    from: t.exposeString('from', { description: 'the first day shown, YYYY-MM-DD' }),
    to: t.exposeString('to', { description: 'the last day shown (included), YYYY-MM-DD' }),
    expected: t.exposeInt('expected', { description: "the registry's latest totals over the windows shown" }),
    downloaded: t.exposeInt('downloaded', { description: 'documents the gate has for those windows' }),
    missing: t.exposeInt('missing', { description: 'documents the registry counts that the gate does not have' }),
    gaps: t.exposeInt('gaps', { description: 'windows that ended as gaps' }),
    days: t.field({ type: [DayRef], description: 'every day from..to, oldest first', resolve: (c) => c.days }),
    months: t.field({ type: [MonthRef], description: 'every month from..to, oldest first', resolve: (c) => c.months }),
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
