// Locks a task for a failure report while the lease is still the caller's (same token, still leased), and
// reads what deciding the outcome needs. No row: the lease is gone (the caller asks why).
import type { prisma } from '../database.ts';
import { LEASED, type TaskRow } from './task-row.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

export async function lockLeasedTask(
  db: Db,
  taskId: string,
  leaseToken: string,
): Promise<Pick<TaskRow, 'attempts' | 'maxAttempts'> | undefined> {
  const [task] = await db.$queryRaw<Array<Pick<TaskRow, 'attempts' | 'maxAttempts'>>>`
    SELECT attempts, max_attempts AS "maxAttempts" FROM tasks
    WHERE id = ${taskId}::uuid AND lease_token = ${leaseToken}::uuid AND status IN ${LEASED}
    FOR UPDATE`;
  return task;
}
