// What attempts ended as since a point of the event log, for the alert monitor: completions, failures, the
// failures that were the registry pushing back, and tasks that went DEAD. Reads only events after `afterSeq`
// (a primary-key range: bounded by what happened since the previous check, never the whole log). With
// afterSeq null it counts nothing and only tells where the log ends now.
import { prisma } from '../database.ts';

export interface AttemptOutcomes {
  completed: number;
  failed: number;
  /** failures of class CHALLENGE or RATE_LIMITED */
  blocked: number;
  /** failures and lease expiries that left a task DEAD */
  dead: number;
  /** the last event counted (where the next call starts) */
  lastSeq: bigint;
}

export async function attemptOutcomesAfter(afterSeq: bigint | null): Promise<AttemptOutcomes> {
  const [row] = await prisma.$queryRaw<AttemptOutcomes[]>`
    WITH since AS (SELECT coalesce(${afterSeq}::bigint, (SELECT coalesce(max(seq), 0) FROM task_events)) AS seq)
    SELECT count(*) FILTER (WHERE e.type = 'COMPLETED')::int AS completed,
      count(*) FILTER (WHERE e.type = 'FAILED')::int AS failed,
      count(*) FILTER (WHERE e.type = 'FAILED' AND e.data->>'errorClass' IN ('CHALLENGE', 'RATE_LIMITED'))::int AS blocked,
      count(*) FILTER (WHERE e.type IN ('FAILED', 'LEASE_EXPIRED') AND e.status = 'DEAD')::int AS dead,
      greatest((SELECT seq FROM since), coalesce(max(e.seq), 0)) AS "lastSeq"
    FROM since LEFT JOIN task_events e ON e.seq > since.seq`;
  return { ...row, lastSeq: BigInt(row.lastSeq) };
}
