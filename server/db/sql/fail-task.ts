// Failure reported by the lease holder. The decision (retry when, or give up) is the service's; this
// statement applies it under the same fencing check as every other holder write.
import { Prisma } from '../../generated/prisma/client.ts';
import type { ErrorClass, TaskStatus } from '../../generated/prisma/enums.ts';
import { inSeconds, LEASED } from './task-row.ts';
import { transitionTasks } from './transition-tasks.ts';

type Db = Parameters<typeof transitionTasks>[1];

export interface FailureOutcome {
  status: Extract<TaskStatus, 'PENDING' | 'FAILED' | 'DEAD'>;
  attempts: number;
  retryInSeconds: number;
  errorClass: ErrorClass;
  message: string;
}

export function failTask(taskId: string, leaseToken: string, o: FailureOutcome, db?: Db) {
  return transitionTasks(
    {
      where: Prisma.sql`id = ${taskId}::uuid AND lease_token = ${leaseToken}::uuid AND status IN ${LEASED}`,
      set: Prisma.sql`status = ${o.status}::"TaskStatus", attempts = ${o.attempts}, run_at = ${inSeconds(o.retryInSeconds)},
        last_error = ${o.message}, last_error_class = ${o.errorClass}::"ErrorClass",
        completed_at = CASE WHEN ${o.status} = 'PENDING' THEN NULL ELSE now() END,
        lease_token = NULL, lease_expires_at = NULL`,
      event: 'FAILED',
      eventData: Prisma.sql`jsonb_build_object('errorClass', moved.last_error_class, 'error', moved.last_error,
        'attempts', moved.attempts, 'retryAt', CASE WHEN moved.status = 'PENDING' THEN moved.run_at END)`,
    },
    db,
  );
}
