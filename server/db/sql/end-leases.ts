// Statements that end leases without completing: the holder hands tasks back, an operator cancels or
// retries, and the sweeper requeues leases that ran out. The lease holder id is kept as "last holder"
// (events and the dashboard show who had it); the token is cleared, which is what fences the old holder out.
import { Prisma } from '../../generated/prisma/client.ts';
import { LEASED } from './task-row.ts';
import { transitionTasks } from './transition-tasks.ts';

const END_LEASE = Prisma.sql`lease_token = NULL, lease_expires_at = NULL`;

export interface HeldLease {
  taskId: string;
  leaseToken: string;
}

/** The holder gives tasks back (shutdown): claimable again at once, no attempt used. */
export function releaseTasks(leases: HeldLease[]) {
  return transitionTasks({
    where: Prisma.sql`(id, lease_token) IN (SELECT * FROM unnest(${leases.map((l) => l.taskId)}::uuid[], ${leases.map((l) => l.leaseToken)}::uuid[]))
      AND status IN ${LEASED}`,
    set: Prisma.sql`status = 'PENDING', run_at = now(), ${END_LEASE}`,
    event: 'RELEASED',
  });
}

/** Pending or leased tasks → CANCELLED. A running holder finds out from its next heartbeat or progress report. */
export function cancelTasks(taskIds: string[], byClientId: string | null) {
  return transitionTasks({
    where: Prisma.sql`id = ANY(${taskIds}::uuid[]) AND status IN ('PENDING', 'CLAIMED', 'RUNNING')`,
    set: Prisma.sql`status = 'CANCELLED', completed_at = now(), last_error = 'cancelled by an operator',
      last_error_class = 'CANCELLED', ${END_LEASE}`,
    event: 'CANCELLED',
    clientId: byClientId,
  });
}

/** Dead, failed or cancelled tasks → PENDING with their attempts reset. */
export function retryTasks(taskIds: string[]) {
  return transitionTasks({
    where: Prisma.sql`id = ANY(${taskIds}::uuid[]) AND status IN ('DEAD', 'FAILED', 'CANCELLED')`,
    set: Prisma.sql`status = 'PENDING', attempts = 0, run_at = now(), completed_at = NULL, ${END_LEASE}`,
    event: 'RETRIED',
  });
}

/**
 * Expired leases → back to the queue with one attempt used, or DEAD when none are left. SKIP LOCKED and a
 * batch limit keep one sweep short even after a long outage; the sweeper repeats until nothing is left.
 */
export function sweepExpiredLeases(batch: number) {
  return transitionTasks({
    where: Prisma.sql`id = ANY(ARRAY(
      SELECT id FROM tasks WHERE status IN ${LEASED} AND lease_expires_at < now()
      ORDER BY lease_expires_at LIMIT ${batch} FOR UPDATE SKIP LOCKED))`,
    set: Prisma.sql`attempts = attempts + 1,
      status = (CASE WHEN attempts + 1 >= max_attempts THEN 'DEAD' ELSE 'PENDING' END)::"TaskStatus",
      completed_at = CASE WHEN attempts + 1 >= max_attempts THEN now() END,
      run_at = now(), last_error = 'lease expired: the worker stopped reporting', last_error_class = 'LEASE_EXPIRED',
      ${END_LEASE}`,
    event: 'LEASE_EXPIRED',
  });
}
