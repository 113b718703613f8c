// Throughput and failures over the last hour, day or week, for all workers or one, all plans or one: the
// dashboard's activity chart. Read from the rolled-up counters (db/sql/activity.ts), so a refresh costs the
// same whatever the size of the queue.
import { z } from 'zod';
import { ACTIVITY_RANGES, activityBuckets, type ActivityRange } from '../db/sql/activity.ts';
import { requireActor, type Actor } from './actor.ts';
import { parseInput } from './errors.ts';
import { idSchema } from './ids.ts';

const activityInput = z.object({
  range: z.enum(Object.keys(ACTIVITY_RANGES) as [ActivityRange, ...ActivityRange[]]).default('HOUR'),
  clientId: idSchema.nullish(),
  planId: idSchema.nullish(),
});

export async function getActivity(actor: Actor | null, input: z.input<typeof activityInput>) {
  requireActor(actor);
  const a = parseInput(activityInput, input);
  const buckets = await activityBuckets(a.range, a.clientId ?? null, a.planId ?? null);
  const total = (k: 'completed' | 'failed' | 'dead' | 'expired' | 'documents') => buckets.reduce((s, b) => s + b[k], 0);
  return {
    range: a.range,
    bucketSeconds: ACTIVITY_RANGES[a.range].unit === 'minute' ? 60 : 3600,
    buckets,
    completed: total('completed'),
    failed: total('failed'),
    dead: total('dead'),
    expired: total('expired'),
    documents: total('documents'),
  };
}
export type Activity = Awaited<ReturnType<typeof getActivity>>;
