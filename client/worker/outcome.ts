/**
 * How a task ended, and telling the gate: a completion, a failure report or a release, each sent again until
 * it is delivered or the deadline passes (the same token and body every time, so the gate answers a repeat as
 * the first). A lease the gate no longer gives us ends the conversation: nothing is sent.
 */
import { GateCallError, isLeaseLost, type ErrorClass, type GateClient, type GateLease } from '../gate/client.ts';
import { RegistryError } from '../registry/index.ts';
import { StorageError } from './download.ts';
import type { Logger } from './log.ts';
import type { ProgressReporter } from './reporter.ts';
import { persist } from './retry.ts';

/** What a task ended as. */
export type Outcome =
  | { kind: 'completed'; downloaded: number; skipped: number; failed: number; summary: unknown }
  /** the task's own runner already completed it at the gate (plan tasks) */
  | { kind: 'completedByRunner' }
  | { kind: 'failed'; errorClass: ErrorClass; message: string; retryable: boolean }
  | { kind: 'interrupted' }
  | { kind: 'lost'; reason: string };

/** Failure class and retryability of whatever a task threw. */
export function classifyFailure(error: unknown): { errorClass: ErrorClass; message: string; retryable: boolean } {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 4000) || 'unknown error';
  if (error instanceof RegistryError) {
    // The registry's error page is how it turns away clients it distrusts: a challenge, like a captcha.
    if (error.reason === 'captcha' || error.reason === 'error-page')
      return { errorClass: 'CHALLENGE', message, retryable: true };
    if (error.reason === 'invalid-search-params') return { errorClass: 'PARSE', message, retryable: false };
    return { errorClass: error.class, message, retryable: true };
  }
  if (error instanceof StorageError) return { errorClass: 'STORAGE', message, retryable: true };
  if (error instanceof GateCallError) return { errorClass: 'INTERNAL', message, retryable: true };
  const retryable = !(
    error &&
    typeof error === 'object' &&
    'retryable' in error &&
    (error as { retryable: unknown }).retryable === false
  );
  return { errorClass: 'INTERNAL', message, retryable };
}

export type Delivered = 'completed' | 'failed' | 'released' | 'lost' | 'not delivered';

export async function deliverOutcome(o: {
  gate: GateClient;
  log: Logger;
  lease: GateLease;
  reporter: ProgressReporter;
  outcome: Outcome;
  /** hand the task back instead of completing or failing it */
  release: boolean;
  deadline?: number;
}): Promise<Delivered> {
  const { gate, log, lease, reporter, outcome, deadline } = o;
  const taskId = lease.task.id;
  if (outcome.kind === 'completedByRunner') {
    log.info({ task: taskId }, `completed plan task ${taskId}`);
    return 'completed';
  }
  if (outcome.kind === 'lost') {
    log.warn({ task: taskId }, 'task dropped: its lease is no longer ours');
    return 'lost';
  }
  const what = (action: string) => `${action} of task ${taskId}`;
  try {
    await reporter.flush(deadline);
    if (o.release || outcome.kind === 'interrupted') {
      await persist(() => gate.releaseTasks([{ taskId, leaseToken: lease.leaseToken }]), {
        log,
        what: what('release'),
        deadline,
      });
      const c = reporter.current;
      log.info(
        { task: taskId, downloaded: c.documentsDownloaded, skipped: c.documentsSkipped, failed: c.documentsFailed },
        `released task ${taskId} (unfinished)`,
      );
      return 'released';
    }
    if (outcome.kind === 'completed') {
      const input = {
        taskId,
        leaseToken: lease.leaseToken,
        documentsDownloaded: outcome.downloaded,
        documentsSkipped: outcome.skipped,
        documentsFailed: outcome.failed,
        resultSummary: outcome.summary,
      };
      const done = await persist(() => gate.completeTask(input), { log, what: what('completion'), deadline });
      log.info(
        {
          task: taskId,
          status: done.status,
          downloaded: outcome.downloaded,
          skipped: outcome.skipped,
          failed: outcome.failed,
        },
        `completed task ${taskId}`,
      );
      return 'completed';
    }
    const failed = await persist(
      () =>
        gate.failTask({
          taskId,
          leaseToken: lease.leaseToken,
          errorClass: outcome.errorClass,
          message: outcome.message,
          retryable: outcome.retryable,
        }),
      { log, what: what('failure report'), deadline },
    );
    log.warn(
      {
        task: taskId,
        errorClass: outcome.errorClass,
        status: failed.status,
        runAt: failed.runAt,
        err: outcome.message,
      },
      `task ${taskId} failed`,
    );
    return 'failed';
  } catch (error) {
    if (isLeaseLost(error)) {
      log.warn(
        { task: taskId, reason: error.reason },
        `the gate refused our ${outcome.kind} report: the lease is no longer ours`,
      );
      return 'lost';
    }
    log.error({ task: taskId, err: (error as Error).message }, `could not deliver the ${outcome.kind} report`);
    return 'not delivered';
  }
}

/**
 * At shutdown, the tasks still unfinished after the grace period: their progress reported, then all handed back in
 * one call (sent again until the deadline). Returns how many were released; none when the gate could not be told
 * (their leases then run out).
 */
export async function releaseUnfinished(
  gate: GateClient,
  log: Logger,
  tasks: Array<{ lease: GateLease; reporter: ProgressReporter }>,
  deadline: number,
): Promise<number> {
  await Promise.all(tasks.map((task) => task.reporter.flush(deadline).catch(() => {})));
  try {
    await persist(
      () => gate.releaseTasks(tasks.map(({ lease }) => ({ taskId: lease.task.id, leaseToken: lease.leaseToken }))),
      { log, what: 'release of unfinished tasks', deadline },
    );
  } catch (error) {
    log.error({ err: (error as Error).message }, 'could not release the unfinished tasks; their leases will expire');
    return 0;
  }
  log.info({ tasks: tasks.map(({ lease }) => lease.task.id) }, `released ${tasks.length} unfinished task(s)`);
  return tasks.length;
}
