/**
 * One claimed task, run by its kind with a registry session from the worker's pool: DOWNLOAD here (./download.ts
 * fetches, the outbox uploads), PLAN in ./plan.ts. Resolves with the task's outcome and never throws; delivering
 * it (complete, fail, release) is the worker loop's part.
 */
import type { Outbox } from '../corpus/outbox.ts';
import type { GateClient, GateLease } from '../gate/client.ts';
import type { RegistrySession } from '../registry/index.ts';
import { type DownloadCounts, runDownload } from './download.ts';
import type { Logger } from './log.ts';
import type { WorkerOptions } from './options.ts';
import { classifyFailure, type Outcome } from './outcome.ts';
import { runPlanTask } from './plan.ts';
import type { TaskProgressView } from './progress.ts';
import type { ProgressReporter } from './reporter.ts';
import type { SessionPool } from './session-pool.ts';

/**
 * A PLAN task is run by `runPlanTask` (./plan.ts): it searches the task's window, decides with the planning
 * rules and completes the task itself through `completePlanTask` (children and completion in one gate
 * transaction) — so the worker does not send a completion of its own for it. A rejection fails the task with
 * the error's class; an abort (shutdown, lost lease) releases or drops it like any other task.
 */
export interface RunningTask {
  lease: GateLease;
  /** "stop starting work" (shutdown, cool-down, lost lease) */
  stop: AbortController;
  stopReason: 'shutdown' | 'lost' | 'cooldown' | null;
  reporter: ProgressReporter;
  view: TaskProgressView;
  /**
   * every decision of the task has started (only the last ones are in flight) or it ended: it no longer counts
   * against --tasks; once they are fetched its registry session is back in the pool, and it only waits for their
   * upload and its completion
   */
  fetched: boolean;
  /** the task's outcome has been (or is being) delivered: revocations no longer apply */
  settling: boolean;
  /** released by the shutdown path after the grace period */
  abandoned: boolean;
  done: Promise<void>;
}

export interface TaskRunDeps {
  gate: GateClient;
  clientId: string;
  log: Logger;
  options: WorkerOptions;
  sessions: SessionPool;
  outbox: Outbox;
  /** decisions being fetched by any of the worker's tasks (two tasks never fetch one decision at once) */
  inFlightDocuments: Map<string, Promise<unknown>>;
  /** a task's fetching ended (task.fetched): the loop may claim the next one */
  onFetched(): void;
}

export async function runClaimedTask(task: RunningTask, deps: TaskRunDeps): Promise<Outcome> {
  const session = await deps.sessions.take();
  let given = false;
  const giveBack = async (clean: boolean) => {
    if (given) return;
    given = true;
    await deps.sessions.give(session, clean);
  };
  // The loop may claim the next task once this one's last documents are in flight: its claim, search and
  // knownDocumentIds overlap that tail (the host's politeness still bounds the requests in flight), so the worker
  // does not sit idle at every task boundary (fetch tail, upload tail, completion, claim, search).
  const releaseSlot = () => {
    if (task.fetched) return;
    task.fetched = true;
    deps.onFetched();
  };
  // The fetching is over while the uploads settle: the session goes back to the pool for the next task.
  const fetched = async () => {
    await giveBack(!task.stopReason);
    releaseSlot();
  };
  let outcome: Outcome;
  try {
    outcome =
      task.lease.task.kind === 'PLAN'
        ? await runPlan(task, session, deps)
        : await runDownloadTask(task, session, deps, fetched, releaseSlot);
  } catch (error) {
    outcome = { kind: 'failed', ...classifyFailure(error) };
  }
  // Only a session whose task ended cleanly goes to the next task.
  const clean = (outcome.kind === 'completed' || outcome.kind === 'completedByRunner') && !task.stopReason;
  await giveBack(clean);
  task.fetched = true;
  return outcome;
}

async function runDownloadTask(
  task: RunningTask,
  session: RegistrySession,
  deps: TaskRunDeps,
  fetched: () => Promise<void>,
  releaseSlot: () => void,
): Promise<Outcome> {
  const result = await runDownload({
    lease: task.lease,
    session,
    gate: deps.gate,
    clientId: deps.clientId,
    log: deps.log,
    signal: task.stop.signal,
    outbox: deps.outbox,
    outputDir: deps.options.outputDir,
    concurrency: deps.options.concurrency,
    reporter: task.reporter,
    inFlight: deps.inFlightDocuments,
    onLastStarted: releaseSlot,
    onProgress: (counts: DownloadCounts, total) =>
      task.view.update({
        downloaded: counts.downloaded,
        skipped: counts.skippedLocal + counts.skippedKnown + counts.skippedDuplicate,
        failed: counts.failed,
        total,
      }),
  });
  if (result.interrupted) return { kind: 'interrupted' };
  await fetched();
  // Complete once the task's decisions are in the gate's store — unless the store is away: then they
  // wait in the outbox and the task completes now (downloading must not stop for an outage).
  await deps.outbox.settled(result.documentIds, Date.now() + deps.options.uploadWaitMs);
  const { counts } = result;
  return {
    kind: 'completed',
    downloaded: counts.downloaded,
    skipped: counts.skippedLocal + counts.skippedKnown + counts.skippedDuplicate,
    failed: counts.failed,
    summary: { ...result.summary, worker: deps.options.clientName },
  };
}

async function runPlan(task: RunningTask, session: RegistrySession, deps: TaskRunDeps): Promise<Outcome> {
  await runPlanTask({
    task: task.lease.task,
    lease: task.lease,
    session,
    gate: deps.gate,
    log: deps.log,
    signal: task.stop.signal,
  });
  return task.stop.signal.aborted ? { kind: 'interrupted' } : { kind: 'completedByRunner' };
}
