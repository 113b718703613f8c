// What the activity rollups count, from the event log: per bucket (minute or hour), worker and plan, the
// completions with their documents, failed attempts, DEAD tasks and expired leases among the events `range`
// selects. The roll-up (roll-up-activity.ts) adds it to activity_minutes / activity_hours; readers add the same
// over the events not rolled up yet (activity.ts, throughput.ts), so both count one way.
// The plan is the task's (tasks.plan_id, inherited by a plan's child tasks); none is the all-zero uuid.
import { Prisma } from '../../generated/prisma/client.ts';

export type BucketUnit = 'minute' | 'hour';

/** The events after this seq are not in the rollups yet (they are when the roll-up moves it). */
export const ROLLED_UP_TO = Prisma.sql`coalesce((SELECT rolled_up_to FROM activity_rollup WHERE id = 1), 0)`;

/** SELECT bucket, client_id, plan_id, completed, failed, dead, expired, documents over the events in `range` (a condition on `e`). */
export const eventOutcomes = (unit: BucketUnit, range: Prisma.Sql) => Prisma.sql`
  SELECT date_trunc(${unit}, e.created_at) AS bucket, coalesce(e.client_id, '00000000-0000-0000-0000-000000000000') AS client_id,
    coalesce(t.plan_id, '00000000-0000-0000-0000-000000000000') AS plan_id,
    count(*) FILTER (WHERE e.type = 'COMPLETED')::int AS completed,
    count(*) FILTER (WHERE e.type = 'FAILED')::int AS failed,
    count(*) FILTER (WHERE e.status = 'DEAD')::int AS dead,
    count(*) FILTER (WHERE e.type = 'LEASE_EXPIRED')::int AS expired,
    coalesce(sum((e.data->>'downloaded')::int) FILTER (WHERE e.type = 'COMPLETED'), 0)::int AS documents
  FROM task_events e LEFT JOIN tasks t ON t.id = e.task_id
  WHERE ${range} AND e.type IN ('COMPLETED', 'FAILED', 'LEASE_EXPIRED')
  GROUP BY 1, 2, 3`;
