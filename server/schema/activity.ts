// activity(range, clientId, planId): throughput and failures over time (services/activity.ts).
import type { ActivityBucket } from '../db/sql/activity.ts';
import { type Activity, getActivity } from '../services/activity.ts';
import { builder } from './builder.ts';

const ActivityRangeEnum = builder.enumType('ActivityRange', {
  description:
    'HOUR: 60 one-minute buckets; DAY: 24 one-hour buckets; WEEK: 168 one-hour buckets (the current one last).',
  values: ['HOUR', 'DAY', 'WEEK'] as const,
});

const ActivityBucketRef = builder.objectRef<ActivityBucket>('ActivityBucket').implement({
  description: 'The counts of one bucket of time (a minute or an hour, as Activity.bucketSeconds says).',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'start of the bucket' }),
    completed: t.exposeInt('completed', { description: 'tasks completed' }),
    failed: t.exposeInt('failed', { description: 'failed attempts reported by workers' }),
    dead: t.exposeInt('dead', { description: 'tasks that became DEAD (out of attempts or stalls)' }),
    expired: t.exposeInt('expired', { description: 'leases that expired (the worker went silent)' }),
    documents: t.exposeInt('documents', { description: 'documents reported by completions' }),
  }),
});

const ActivityRef = builder.objectRef<Activity>('Activity').implement({
  description: 'Throughput and failures over the last hour, day or week, per bucket and in total.',
  fields: (t) => ({
    range: t.field({ type: ActivityRangeEnum, description: 'the range asked for', resolve: (a) => a.range }),
    bucketSeconds: t.exposeInt('bucketSeconds', {
      description: 'seconds per bucket: 60 for HOUR, 3600 for DAY and WEEK',
    }),
    buckets: t.field({ type: [ActivityBucketRef], description: 'oldest first', resolve: (a) => a.buckets }),
    completed: t.exposeInt('completed', { description: 'over the whole range' }),
    failed: t.exposeInt('failed', { description: 'failed attempts over the whole range' }),
    dead: t.exposeInt('dead', { description: 'tasks that became DEAD over the whole range' }),
    expired: t.exposeInt('expired', { description: 'leases that expired over the whole range' }),
    documents: t.exposeInt('documents', { description: 'documents reported by completions over the whole range' }),
  }),
});

builder.queryFields((t) => ({
  activity: t.field({
    type: ActivityRef,
    description:
      'Tasks completed, failed attempts, DEAD tasks, expired leases and documents per bucket over the last hour, day or week; for one worker (clientId) and/or one plan (planId). From rolled-up counters: cheap to ask often.',
    args: {
      range: t.arg({ type: ActivityRangeEnum, required: false }),
      clientId: t.arg.id({ required: false }),
      planId: t.arg.id({ required: false }),
    },
    resolve: (_p, args, ctx) =>
      getActivity(ctx.actor, { range: args.range ?? 'HOUR', clientId: args.clientId, planId: args.planId }),
  }),
}));
