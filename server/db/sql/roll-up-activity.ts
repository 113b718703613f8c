// Rolls the event log up into activity_minutes and activity_hours, from activity_rollup.rolled_up_to to `upTo`
// (a seq every event at or below which is final: the log's horizon, docs/event-log.md; null on PGlite, where
// every visible event is), and moves the pointer — one statement, so the rollups and the pointer move together
// and a reader (who adds the events after the pointer) never counts an event twice or misses one.
// Any gate may run it: the pointer's row is taken FOR UPDATE SKIP LOCKED, so while one gate rolls up the others
// skip the round. Done off the hot path, this costs the claim/complete statements nothing (it was a trigger).
import { Prisma } from '../../generated/prisma/client.ts';
import { prisma } from '../database.ts';
import { eventOutcomes, type BucketUnit } from './event-outcomes.ts';

const upsert = (table: 'activity_minutes' | 'activity_hours', unit: BucketUnit) => Prisma.sql`
  INSERT INTO ${Prisma.raw(table)} AS a (bucket, client_id, plan_id, completed, failed, dead, expired, documents)
  SELECT * FROM (${eventOutcomes(unit, Prisma.sql`e.seq > (SELECT after FROM pointer) AND e.seq <= (SELECT upto FROM pointer)`)}) o
  ORDER BY 1, 2, 3
  ON CONFLICT (bucket, client_id, plan_id) DO UPDATE SET completed = a.completed + excluded.completed,
    failed = a.failed + excluded.failed, dead = a.dead + excluded.dead, expired = a.expired + excluded.expired,
    documents = a.documents + excluded.documents`;

/** The seq the rollups now hold the log to; null when another gate was rolling up (or there was nothing new). */
export async function rollUpActivity(upTo: bigint | null): Promise<bigint | null> {
  const [row] = await prisma.$queryRaw<Array<{ rolled_up_to: bigint }>>`
    WITH pointer AS MATERIALIZED (
      SELECT r.rolled_up_to AS after, coalesce(${upTo}::bigint, (SELECT max(seq) FROM task_events), 0) AS upto
      FROM activity_rollup r WHERE r.id = 1 FOR UPDATE SKIP LOCKED
    ), minutes AS (${upsert('activity_minutes', 'minute')}),
    hours AS (${upsert('activity_hours', 'hour')})
    UPDATE activity_rollup r SET rolled_up_to = pointer.upto FROM pointer
    WHERE r.id = 1 AND pointer.upto > pointer.after
    RETURNING r.rolled_up_to`;
  return row?.rolled_up_to ?? null;
}
