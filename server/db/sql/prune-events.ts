// Event-log retention: the events of finished tasks (completed, dead, failed, cancelled) older than the
// retention are deleted, a batch at a time so one round never holds locks for long. Events of tasks still
// in the queue are kept whatever their age: they are the task's story so far. Events the activity rollups do not
// hold yet (after activity_rollup's pointer) are kept too, whatever their age, until they are rolled up.
import { prisma } from '../database.ts';
import { ROLLED_UP_TO } from './event-outcomes.ts';

export async function pruneEvents(olderThanDays: number, batch = 10_000): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM task_events WHERE seq = ANY(ARRAY(
      SELECT e.seq FROM task_events e JOIN tasks t ON t.id = e.task_id
      WHERE e.created_at < now() - make_interval(days => ${olderThanDays}::int)
        AND t.status IN ('COMPLETED', 'DEAD', 'FAILED', 'CANCELLED')
        AND e.seq <= ${ROLLED_UP_TO}
      ORDER BY e.seq LIMIT ${batch}))`;
}
