// Operators change the priority of tasks that are not finished; each change is a PRIORITY_CHANGED event.
import { Prisma } from '../../generated/prisma/client.ts';
import { transitionTasks } from './transition-tasks.ts';

export function setTasksPriority(taskIds: string[], priority: number) {
  return transitionTasks({
    where: Prisma.sql`id = ANY(${taskIds}::uuid[]) AND status IN ('PENDING', 'CLAIMED', 'RUNNING')`,
    set: Prisma.sql`priority = ${priority}`,
    event: 'PRIORITY_CHANGED',
    eventData: Prisma.sql`jsonb_build_object('priority', moved.priority)`,
  });
}
