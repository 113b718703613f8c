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
    to: t.exposeString('dateTo'),
    state: t.exposeString('state', {
      description: 'PLANNING (its tasks not all finished), COMPLETE, REPAIR (planned again), GAP (see reason)',
    }),
    round: t.exposeInt('round', { description: 'the run whose tasks cover it now' }),
    planTaskId: t.exposeID('planTaskId', { nullable: true }),
    expected: t.exposeInt('expected', { nullable: true, description: "the registry's latest total" }),
    downloaded: t.exposeInt('downloaded', { description: 'documents the gate has for the window' }),
    missing: t.int({ resolve: (w) => Math.max(0, (w.expected ?? 0) - w.downloaded) }),
    repairs: t.exposeInt('repairs'),
    reason: t.exposeString('reason', { nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const FollowRunRef = builder.prismaObject('FollowRun', {
  description: 'One run of a follow: what it planned, and what its tasks came to as its windows settle.',
  fields: (t) => ({
    id: t.exposeID('id'),
    followId: t.exposeID('followId'),
    round: t.exposeInt('round'),
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
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const FollowRef = builder.prismaObject('Follow', {
  description: 'A search the gate keeps current: new days planned, recent days re-counted, short windows repaired.',
  fields: (t) => ({
    id: t.exposeID('id'),
    searchParams: t.expose('searchParams', { type: 'JSON' }),
    startDate: t.exposeString('startDate', { description: 'YYYY-MM-DD' }),
    schedule: t.exposeString('schedule', { description: 'interval (6h) or cron expression (UTC)' }),
    recountDays: t.exposeInt('recountDays'),
    window: t.exposeString('window', { description: "unit of the first run's backfill windows" }),
    chunkSize: t.int({ resolve: (f) => requirePlanOptions(f.options).chunkSize }),
    priority: t.exposeInt('priority'),
    paused: t.exposeBoolean('paused'),
    coveredTo: t.exposeString('coveredTo', { nullable: true, description: 'last day planned' }),
    runs: t.exposeInt('runs'),
    lastRunAt: t.expose('lastRunAt', { type: 'DateTime', nullable: true }),
    nextRunAt: t.expose('nextRunAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
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
    args: { id: t.arg.id() },
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
            chunkSize: f.int({ required: false }),
            pageBudget: f.int({ required: false }),
            splitFields: f.stringList({ required: false }),
            priority: f.int({ required: false }),
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
