// The documents a task's holder announced during its current (or last) lease: the PROGRESS events since
// the task's last CLAIMED event, counted by document id, and when the latest came.
import { prisma } from '../database.ts';

export interface Announced {
  started: number;
  last: Date | null;
}

export async function announcedDocuments(taskId: string): Promise<Announced> {
  const [announced] = await prisma.$queryRaw<Announced[]>`
    SELECT count(DISTINCT data->>'documentId')::int AS started, max(created_at) AS last
    FROM task_events
    WHERE task_id = ${taskId}::uuid AND type = 'PROGRESS' AND seq > coalesce((
      SELECT max(seq) FROM task_events WHERE task_id = ${taskId}::uuid AND type = 'CLAIMED'), 0)`;
  return announced;
}
