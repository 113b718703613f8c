// The activity chart's buckets, from the rolled-up counters (activity_minutes / activity_hours, rolled up from
// task_events behind the log's horizon, roll-up-activity.ts) plus the events not rolled up yet: every bucket of
// the range present, zeros included, optionally for one worker and one plan. An index range scan of the rollup's
// primary key and of the log's last seconds (after activity_rollup's pointer) — never the tasks or the whole log.
// One statement, one snapshot: an event is counted in the rollups or in the tail, never both.
import { Prisma } from '../../generated/prisma/client.ts';
import { prisma } from '../database.ts';
import { eventOutcomes, ROLLED_UP_TO } from './event-outcomes.ts';

export const ACTIVITY_RANGES = {
  HOUR: { table: 'activity_minutes', unit: 'minute', buckets: 60 },
  DAY: { table: 'activity_hours', unit: 'hour', buckets: 24 },
  WEEK: { table: 'activity_hours', unit: 'hour', buckets: 168 },
} as const;
export type ActivityRange = keyof typeof ACTIVITY_RANGES;

export interface ActivityBucket {
  at: Date;
  completed: number;
  failed: number;
  dead: number;
  expired: number;
  documents: number;
}

export function activityBuckets(range: ActivityRange, clientId: string | null, planId: string | null) {
  const r = ACTIVITY_RANGES[range];
  const table = Prisma.raw(r.table); // from the fixed list above, never from input
  const step = Prisma.sql`make_interval(${r.unit === 'minute' ? Prisma.sql`mins => 1` : Prisma.sql`hours => 1`})`;
  return prisma.$queryRaw<ActivityBucket[]>`
    WITH buckets AS (
      SELECT generate_series(date_trunc(${r.unit}, now()) - ${step} * ${r.buckets - 1}, date_trunc(${r.unit}, now()), ${step}) AS at)
    SELECT b.at,
      coalesce(sum(a.completed), 0)::int AS completed, coalesce(sum(a.failed), 0)::int AS failed,
      coalesce(sum(a.dead), 0)::int AS dead, coalesce(sum(a.expired), 0)::int AS expired,
      coalesce(sum(a.documents), 0)::int AS documents
    FROM buckets b LEFT JOIN (
      SELECT bucket, client_id, plan_id, completed, failed, dead, expired, documents FROM ${table}
      UNION ALL ${eventOutcomes(r.unit, Prisma.sql`e.seq > ${ROLLED_UP_TO}`)}
    ) a ON a.bucket = b.at
      ${clientId ? Prisma.sql`AND a.client_id = ${clientId}::uuid` : Prisma.empty}
      ${planId ? Prisma.sql`AND a.plan_id = ${planId}::uuid` : Prisma.empty}
    GROUP BY b.at ORDER BY b.at`;
}
