// Follows: searches the gate keeps current on a schedule. createFollow/pause/resume/run/delete (admin),
// follows/follow (anyone with a key), followRuns (subscription: each run, and each round as it settles).
import { prisma } from '../db/database.ts';
import { filter, releasable } from '../events/streams.ts';
import { runFollow } from '../services/follow-runs.ts';
import * as follows from '../services/follows.ts';
import { requirePlanOptions } from '../services/plans.ts';
import { builder } from './builder.ts';
import { SHARED_LIVE } from './shared-live.ts';

export const FollowWindowRef = builder.prismaObject('FollowWindow', {
  description: "One window of a follow's calendar, as the latest run left it.",
  fields: (t) => ({
    from: t.exposeString('dateFrom', { description: 'adopted-on, YYYY-MM-DD' }),
    to: t.exposeString('dateTo', { description: 'the last adopted-on day of the window (included), YYYY-MM-DD' }),
    state: t.exposeString('state', {
      description: 'PLANNING (its tasks not all finished), COMPLETE, REPAIR (planned again), GAP (see reason)',
    }),
    round: t.exposeInt('round', { description: 'the run whose tasks cover it now' }),
    planTaskId: t.exposeID('planTaskId', {
      nullable: true,
      description: 'the PLAN task of its latest planning; null before the first',
    }),
    expected: t.exposeInt('expected', { nullable: true, description: "the registry's latest total" }),
    downloaded: t.exposeInt('downloaded', { description: 'documents the gate has for the window' }),
    missing: t.int({
      description:
        'documents the registry counts that the gate does not have: expected - downloaded (0 when not counted)',
      resolve: (w) => Math.max(0, (w.expected ?? 0) - w.downloaded),
    }),
    repairs: t.exposeInt('repairs', {
      description: 'how many times it was planned again because documents were missing',
    }),
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'why the window is a GAP or under repair, in words; null when it is neither',
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'when a run last changed it' }),
  }),
});

const FollowRunRef = builder.prismaObject('FollowRun', {
  description: 'One run of a follow: what it planned, and what its tasks came to as its windows settle.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "the run's id (a UUID)" }),
    followId: t.exposeID('followId', { description: 'the follow it ran for' }),
    round: t.exposeInt('round', { description: "the run's number for its follow: 1 for the first" }),
    trigger: t.exposeString('trigger', { description: 'SCHEDULE or MANUAL' }),
    summary: t.expose('summary', {
      type: 'JSON',
      description: 'windowsNew, windowsRecounted, windowsRepaired, windowsInFlight, gaps, planTasks',
    }),
    result: t.expose('result', {
      type: 'JSON',
      description:
        'windowsSettled, windowsComplete, newDocuments, knownDocuments, registryRequests, gaps, repairs (added up as windows settle)',
    }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'when every window it planned had settled; null while its tasks are still at work',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when the run started' }),
  }),
});

export const FollowRef = builder.prismaObject('Follow', {
  description: 'A search the gate keeps current: new days planned, recent days re-counted, short windows repaired.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "the follow's id (a UUID); its tasks name it as followId" }),
    searchParams: t.expose('searchParams', {
      type: 'JSON',
      description: 'the registry form fields it follows, without dates, e.g. {"CourtRegion": ["11"]}',
    }),
    startDate: t.exposeString('startDate', { description: 'YYYY-MM-DD' }),
    schedule: t.exposeString('schedule', { description: 'interval (6h) or cron expression (UTC)' }),
    recountDays: t.exposeInt('recountDays', {
      description: 'how many days before today every run counts again (late publications land there)',
    }),
    window: t.exposeString('window', { description: "unit of the first run's backfill windows" }),
    chunkSize: t.int({
      description: 'documents per download task its runs plan',
      resolve: (f) => requirePlanOptions(f.options).chunkSize,
    }),
    priority: t.exposeInt('priority', { description: 'the priority of its tasks (higher runs first)' }),
    paused: t.exposeBoolean('paused', { description: 'true: no run is started and its tasks are not claimed' }),
    coveredTo: t.exposeString('coveredTo', { nullable: true, description: 'last day planned' }),
    runs: t.exposeInt('runs', { description: 'how many runs it has had' }),
    lastRunAt: t.expose('lastRunAt', {
      type: 'DateTime',
      nullable: true,
      description: 'when its last run started; null: it has not run yet',
    }),
    nextRunAt: t.expose('nextRunAt', {
      type: 'DateTime',
      description: 'when its next run is due by the schedule (a paused follow waits past it)',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it was created' }),
    windows: t.field({
      type: [FollowWindowRef],
      description: 'the calendar, oldest first',
      resolve: (f, _a, ctx) => follows.followWindows(ctx.actor, f.id),
    }),
    runLog: t.field({
      type: [FollowRunRef],
      description: 'runs, newest first',
      args: { last: t.arg.int({ required: false }) },
      resolve: (f, args, ctx) => follows.followRuns(ctx.actor, f.id, args.last ?? 20),
    }),
  }),
});

builder.queryFields((t) => ({
  follows: t.prismaField({
    type: ['Follow'],
    description: 'Follows, newest first.',
    args: { first: t.arg.int({ required: false }) },
    resolve: (_q, _root, args, ctx) => follows.listFollows(ctx.actor, args.first ?? 100),
  }),
  follow: t.prismaField({
    type: 'Follow',
    description: 'One follow by its id (NOT_FOUND when there is none).',
    args: { id: t.arg.id({ description: 'the follow id' }) },
    resolve: (_q, _root, args, ctx) => follows.getFollow(ctx.actor, args.id),
  }),
}));

builder.mutationFields((t) => ({
  createFollow: t.prismaField({
    type: 'Follow',
    authScopes: { admin: true },
    description: 'Follows a search from a start date on a schedule; the first run is due at once.',
    args: {
      input: t.arg({
        type: builder.inputType('CreateFollowInput', {
          description: 'A search to follow: its form fields, from when, how often, and how to cut it.',
          fields: (f) => ({
            searchParams: f.field({
              type: 'JSON',
              required: false,
              description: 'registry form fields, without RegDateBegin/RegDateEnd/Sort',
            }),
            startDate: f.string({ description: 'first adopted-on date followed, DD.MM.YYYY or YYYY-MM-DD' }),
            schedule: f.string({ description: 'an interval (30m, 6h, 1d) or a five-field cron expression (UTC)' }),
            recountDays: f.int({
              required: false,
              description: 'days before today re-counted by every run (default 30)',
            }),
            window: f.string({
              required: false,
              description: "the first run's backfill windows: day, week, month (default), year",
            }),
            chunkSize: f.int({
              required: false,
              description: 'documents per download task, a multiple of the rows per page (default 100)',
            }),
            pageBudget: f.int({
              required: false,
              description: "split windows with more result pages than this (default: only over the registry's cap)",
            }),
            splitFields: f.stringList({
              required: false,
              description: 'fields a day over the limit is split by (default VRType, CSType)',
            }),
            priority: f.int({
              required: false,
              description: '-1000..1000 for its tasks; higher runs first (default 0)',
            }),
          }),
        }),
      }),
    },
    resolve: (_q, _root, { input }, ctx) => follows.createFollow(ctx.actor, input),
  }),
  pauseFollow: t.prismaField({
    type: 'Follow',
    authScopes: { admin: true },
    description: 'stops its schedule, and its tasks are not claimed until resumeFollow',
    args: { id: t.arg.id() },
    resolve: (_q, _root, args, ctx) => follows.pauseFollow(ctx.actor, args.id),
  }),
  resumeFollow: t.prismaField({
    type: 'Follow',
    authScopes: { admin: true },
    description: 'A follow resumed after its time passed runs once at the next tick.',
    args: { id: t.arg.id() },
    resolve: (_q, _root, args, ctx) => follows.resumeFollow(ctx.actor, args.id),
  }),
  deleteFollow: t.prismaField({
    type: 'Follow',
    authScopes: { admin: true },
    description: 'Deletes the follow, its calendar and runs; tasks already planned stay.',
    args: { id: t.arg.id() },
    resolve: (_q, _root, args, ctx) => follows.deleteFollow(ctx.actor, args.id),
  }),
  runFollow: t.prismaField({
    type: 'FollowRun',
    authScopes: { admin: true },
    description: 'Runs a follow now; its schedule goes on from now.',
    args: { id: t.arg.id() },
    resolve: (_q, _root, args, ctx) => runFollow(ctx.actor, args.id),
  }),
}));

builder.subscriptionFields((t) => ({
  followRuns: t.prismaField({
    type: 'FollowRun',
    description: "A follow ran, or one of its runs' windows settled (result grew).",
    args: { followId: t.arg.id({ required: false }) },
    extensions: { [SHARED_LIVE]: true },
    subscribe: (_p, args, ctx) => {
      const only = args.followId ? `${args.followId.toLowerCase()}:` : null;
      return releasable((signal) =>
        filter(ctx.bus.subscribe('followRun', signal), (ref) => !only || ref.startsWith(only)),
      );
    },
    resolve: (query, ref) =>
      prisma.followRun.findUniqueOrThrow({ ...query, where: { id: (ref as unknown as string).split(':')[1] } }),
  }),
}));
