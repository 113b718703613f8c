// The task a lease token holds (same token, still leased), locked for the rest of the transaction, with
// its plan options; nothing when the lease is not held (the caller then asks why). Failing a task and
// completing a PLAN task decide from this row.
import { prisma } from '../database.ts';
import { LEASED, TASK_COLUMNS, type TaskRow } from './task-row.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

export async function lockLeasedTask(
  taskId: string,
  leaseToken: string,
  db: Db = prisma,
): Promise<TaskRow | undefined> {
  const [row] = await db.$queryRaw<TaskRow[]>`
    SELECT ${TASK_COLUMNS}, plan_options AS "planOptions" FROM tasks
    WHERE id = ${taskId}::uuid AND lease_token = ${leaseToken}::uuid AND status IN ${LEASED}
    FOR UPDATE`;
  return row;
}
