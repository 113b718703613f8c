// The throughput chart: documents fetched and tasks completed in each of the last `minutes` whole minutes
// (the current one included), every minute present, zeros included.
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
    SELECT m.minute,
      (SELECT count(*)::int FROM documents d WHERE d.fetched_at >= m.minute AND d.fetched_at < m.minute + interval '1 minute') AS documents,
      (SELECT count(*)::int FROM tasks t WHERE t.status = 'COMPLETED' AND t.completed_at >= m.minute
         AND t.completed_at < m.minute + interval '1 minute') AS "tasksCompleted"
    FROM minutes m ORDER BY m.minute`;
}
