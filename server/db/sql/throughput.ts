// The throughput of stats / statsUpdated: documents reported by completions and tasks completed in each of the
// last `minutes` whole minutes (the current one included), every minute present, zeros included. Read from the
// per-minute rollup (activity_minutes, kept by a trigger on task_events): statsUpdated recomputes this after
// task events, up to once a second, and must not count the tasks or documents tables each time.
import { prisma } from '../database.ts';

export interface ThroughputBucket {
  minute: Date;
  documents: number;
  tasksCompleted: number;
}

export function throughputByMinute(minutes: number) {
  return prisma.$queryRaw<ThroughputBucket[]>`
    WITH minutes AS (
      SELECT generate_series(date_trunc('minute', now()) - make_interval(mins => ${minutes - 1}), date_trunc('minute', now()),
        interval '1 minute') AS minute)
    SELECT m.minute, coalesce(sum(a.documents), 0)::int AS documents, coalesce(sum(a.completed), 0)::int AS "tasksCompleted"
    FROM minutes m LEFT JOIN activity_minutes a ON a.bucket = m.minute
    GROUP BY m.minute ORDER BY m.minute`;
}
