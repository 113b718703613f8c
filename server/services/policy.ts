// Tunables of the task life cycle, set once from the gate's config at start (tests shorten them).
import type { ErrorClass } from '../generated/prisma/enums.ts';

export const policy = {
  leaseSeconds: 60,
  maxAttempts: 3,
  /**
   * Lease expiries before a task is DEAD. A worker that was killed or cut off is no fault of the task, so stalls are
   * counted apart from failed attempts, with a higher limit (like BullMQ's maxStalledCount); the limit still stops a
   * task that takes down every worker that runs it.
   */
  maxStalls: 5,
  retryBaseSeconds: 30,
  retryMaxSeconds: 3600,
  clientInactiveSeconds: 180,
  /** events of finished tasks older than this are deleted by the sweeper (0: keep for ever) */
  eventRetentionDays: 30,
};

export function configurePolicy(values: Partial<typeof policy>) {
  Object.assign(policy, values);
}

/** The registry pushing back is not the task's fault: such failures wait, but do not use up an attempt. */
export const NON_BURNING_CLASSES: ReadonlySet<ErrorClass> = new Set(['RATE_LIMITED', 'CHALLENGE']);

/** Exponential backoff with ±20% jitter so that tasks failed together do not come back together. */
export function retryDelaySeconds(failedAttempts: number, random = Math.random): number {
  const base = Math.min(policy.retryMaxSeconds, policy.retryBaseSeconds * 2 ** Math.max(0, failedAttempts - 1));
  return base * (0.8 + random() * 0.4);
}
