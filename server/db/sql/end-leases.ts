// Statements that end leases without completing: the holder hands tasks back, an operator cancels or
// retries, and the sweeper requeues leases that ran out. The lease holder id is kept as "last holder"
// (events and the dashboard show who had it); the token is cleared, which is what fences the old holder out.
//
// Work that was running goes back to its place in the queue: a released or requeued task keeps its run_at (the
// claim orders by priority, run_at, age), so it is not sent behind everything created while it ran.
import { Prisma } from '../../generated/prisma/client.ts';
import { LEASED } from './task-row.ts';
import { transitionTasks } from './transition-tasks.ts';

const END_LEASE = Prisma.sql`lease_token = NULL, lease_expires_at = NULL`;

export interface HeldLease {
  taskId: string;
  leaseToken: string;
}

/** The holder gives tasks back (shutdown): claimable again at once, in their old place, no attempt used. */
export function releaseTasks(leases: HeldLease[]) {
  return transitionTasks({
    where: Prisma.sql`(id, lease_token) IN (SELECT * FROM unnest(${leases.map((l) => l.taskId)}::uuid[], ${leases.map((l) => l.leaseToken)}::uuid[]))
      AND status IN ${LEASED}`,
    set: Prisma.sql`status = 'PENDING', run_at = least(run_at, now()), ${END_LEASE}`,
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

/** Dead, failed or cancelled tasks → PENDING with their attempts and stalls reset. */
export function retryTasks(taskIds: string[]) {
  return transitionTasks({
    where: Prisma.sql`id = ANY(${taskIds}::uuid[]) AND status IN ('DEAD', 'FAILED', 'CANCELLED')`,
    set: Prisma.sql`status = 'PENDING', attempts = 0, stalls = 0, run_at = now(), completed_at = NULL, ${END_LEASE}`,
    event: 'RETRIED',
  });
}

/**
 * Expired leases → back to the queue in their old place with one stall counted (a stall is not a failed attempt:
 * the worker was killed or cut off, the task did nothing wrong), or DEAD after `maxStalls` of them. SKIP LOCKED and
 * a batch limit keep one sweep short even after a long outage; the sweeper repeats until nothing is left.
 */
export function sweepExpiredLeases(batch: number, maxStalls: number) {
  const dead = Prisma.sql`stalls + 1 >= ${maxStalls}`;
  return transitionTasks({
    where: Prisma.sql`id = ANY(ARRAY(
      SELECT id FROM tasks WHERE status IN ${LEASED} AND lease_expires_at < now()
      ORDER BY lease_expires_at LIMIT ${batch} FOR UPDATE SKIP LOCKED))`,
    set: Prisma.sql`stalls = stalls + 1,
      status = (CASE WHEN ${dead} THEN 'DEAD' ELSE 'PENDING' END)::"TaskStatus",
      completed_at = CASE WHEN ${dead} THEN now() END,
      run_at = least(run_at, now()), last_error_class = 'LEASE_EXPIRED',
      last_error = CASE WHEN ${dead} THEN format('lease expired %s times: every worker that took it stopped reporting', stalls + 1)
        ELSE 'lease expired: the worker stopped reporting' END,
      ${END_LEASE}`,
    event: 'LEASE_EXPIRED',
    eventData: Prisma.sql`jsonb_build_object('stalls', moved.stalls)`,
  });
}
