// Event-log retention: the events of finished tasks (completed, dead, failed, cancelled) older than the
// retention are deleted, a batch at a time so one round never holds locks for long. Events of tasks still
// in the queue are kept whatever their age: they are the task's story so far.
import { prisma } from '../database.ts';

export async function pruneEvents(olderThanDays: number, batch = 10_000): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM task_events WHERE seq = ANY(ARRAY(
      SELECT e.seq FROM task_events e JOIN tasks t ON t.id = e.task_id
      WHERE e.created_at < now() - make_interval(days => ${olderThanDays}::int)
        AND t.status IN ('COMPLETED', 'DEAD', 'FAILED', 'CANCELLED')
      ORDER BY e.seq LIMIT ${batch}))`;
}
