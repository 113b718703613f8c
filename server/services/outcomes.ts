// What the lease life cycle did, for whoever counts it (the gate's /metrics). The service functions report
// an outcome after their write committed; listeners must be cheap and must not throw.
import type { ErrorClass, TaskStatus } from '../generated/prisma/enums.ts';

export type LeaseOutcome =
  | { type: 'claimed'; count: number }
  /** `count` tasks completed, with the documents they downloaded in all */
  | { type: 'completed'; count: number; documentsDownloaded: number }
  | { type: 'failed'; errorClass: ErrorClass; status: TaskStatus }
  | { type: 'expired'; status: TaskStatus }
  /** a holder's write was refused: stale or foreign token, cancelled or completed task */
  | { type: 'leaseLost'; reason: string }
  /**
   * one coalesced statement ran for `requests` single claims or completions (lease-batches.ts), taking `seconds` from
   * sending to its answer (its commit's WAL flush included), or to its error
   */
  | { type: 'coalesced'; kind: 'claim' | 'completion'; requests: number; seconds: number };

const listeners = new Set<(outcome: LeaseOutcome) => void>();

/** Subscribes to outcomes; returns the unsubscribe function. */
export function onLeaseOutcome(listener: (outcome: LeaseOutcome) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function reportOutcome(outcome: LeaseOutcome): void {
  for (const listener of listeners) listener(outcome);
}
