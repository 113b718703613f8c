// The throughput of stats / statsUpdated: documents reported by completions and tasks completed in each of the
// last `minutes` whole minutes (the current one included), every minute present, zeros included. Read from the
// per-minute rollup (activity_minutes, rolled up from task_events behind the log's horizon) plus the events not
// rolled up yet (the last second or two): statsUpdated recomputes this after task events, up to once a second, and
// must not count the tasks or documents tables each time.
import { Prisma } from '../../generated/prisma/client.ts';
import { prisma } from '../database.ts';
import { eventOutcomes, ROLLED_UP_TO } from './event-outcomes.ts';

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
    FROM minutes m LEFT JOIN (
      SELECT bucket, completed, documents FROM activity_minutes
      UNION ALL SELECT bucket, completed, documents FROM (${eventOutcomes('minute', Prisma.sql`e.seq > ${ROLLED_UP_TO}`)}) tail
    ) a ON a.bucket = m.minute
    GROUP BY m.minute ORDER BY m.minute`;
}
