/**
 * The worker loop, top to bottom:
 *
 *   register with the gate → start the lease keeper (heartbeats) → subscribe to `taskAvailable`
 *   → loop: claim while there is a free slot; otherwise sleep until a nudge, a freed slot, or the
 *     poll interval (the fallback when nudges are missed or the socket is down)
 *   → each claimed task runs by kind (./task-run.ts: DOWNLOAD, PLAN), reports progress, and ends in
 *     completeTask (counts + result summary), failTask (the error's class), or nothing at all when the
 *     lease was lost (revoked by heartbeat, LEASE_LOST on progress)
 *   → on stop (SIGINT/SIGTERM): stop claiming, let in-flight documents finish for up to the grace
 *     period, report progress, release the unfinished tasks, return.
 *
 * Gate calls that fail because the gate is away (restart, network) are retried; a completion is sent
 * again with the same lease token and body until it lands (completeTask is idempotent for those).
 */
import { type GateClient, type GateLease, isKeyRefused } from '../gate/client.ts';
import { HostPoliteness, RegistrySession } from '../registry/index.ts';
import { ContentClient } from '../corpus/content-client.ts';
import { Outbox } from '../corpus/outbox.ts';
import { removeStaleTemps } from './files.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { deliverOutcome, type Outcome, releaseUnfinished } from './outcome.ts';
import type { Logger } from './log.ts';
import type { WorkerOptions } from './options.ts';
import type { ProgressDisplay } from './progress.ts';
import { ProgressReporter } from './reporter.ts';
import { registerWithGate, sayGoodbye } from './register.ts';
import { SessionPool } from './session-pool.ts';
import { listenForTaskNudges } from './task-nudges.ts';
import { type RunningTask, runClaimedTask } from './task-run.ts';
import { sleep } from './retry.ts';
import { Waker } from './waker.ts';

export interface WorkerDeps {
  gate: GateClient;
  log: Logger;
  display: ProgressDisplay;
}

export class Worker {
  clientId: string | null = null;
  private readonly running = new Map<string, RunningTask>();
  private readonly inFlightDocuments = new Map<string, Promise<unknown>>();
  private readonly politeness: HostPoliteness;
  private readonly outbox: Outbox;
  private readonly sessions: SessionPool;
  private keeper: LeaseKeeper | null = null;
  private stopping = false;
  private hurry = new AbortController();
  private readonly waker = new Waker();
  private coolDownUntil = 0;
  private claimed = 0;
  private failures = 0;
  private gateDown = false;
  /** why the gate refused this worker's key or client, once it did */
  private refusedBy: string | null = null;
  readonly stats = { completed: 0, failed: 0, released: 0, lost: 0 };

  constructor(
    private readonly options: WorkerOptions,
    private readonly deps: WorkerDeps,
  ) {
    this.outbox = new Outbox({
      dir: options.outboxDir,
      client: new ContentClient(options.apiUrl, options.apiKey),
      log: deps.log,
      clientId: () => this.clientId,
    });
    this.politeness = new HostPoliteness({
      minDelayMs: options.rate > 0 ? 1000 / options.rate : 0,
      maxConcurrency: Math.max(1, options.concurrency),
      ...options.politeness,
    });
    this.sessions = new SessionPool(
      () =>
        RegistrySession.open({
          baseUrl: options.registryUrl,
          transport: options.transport,
          userAgent: options.userAgent,
          maxPageBytes: options.maxPageBytes,
          hostPoliteness: this.politeness,
          logger: deps.log,
        }),
      Math.max(1, options.tasks),
    );
  }

  private get log(): Logger {
    return this.deps.log;
  }

  /** Stop claiming and wind down; a second call skips the grace period. */
  stop(signal = 'stop'): void {
    if (this.stopping) {
      this.log.warn(`${signal} again: releasing unfinished tasks now`);
      this.hurry.abort();
      return;
    }
    this.stopping = true;
    this.log.info(
      { running: this.running.size },
      `${signal}: no new tasks; finishing documents in flight (up to ${this.options.shutdownGraceMs / 1000} s)`,
    );
    for (const task of this.running.values()) this.stopTask(task, 'shutdown');
    this.waker.wake();
  }

  /**
   * The gate refused this worker's key or client (an operator revoked or disabled it): nothing it sends can land
   * any more, so it stops, with exit code 5 (key refused, as the CLI). The tasks it holds go back to the queue
   * when their leases run out; what it fetched waits in the outbox for a worker with a valid key.
   */
  private keyRefused(error: Error): void {
    if (this.refusedBy) return;
    this.refusedBy = error.message;
    this.log.error(`the gate refused this worker's key or client; stopping: ${error.message}`);
    this.stop('key refused');
  }

  /** Runs until stopped (or, with --once, until one task is done); resolves with the exit code. */
  async run(): Promise<number> {
    const { gate } = this.deps;
    for (const dir of [this.options.outboxDir, this.options.outputDir]) {
      if (!dir) continue;
      const removed = await removeStaleTemps(dir);
      if (removed > 0) this.log.info({ removed, dir }, 'removed temp files a stopped worker left behind');
    }
    let clientId: string | null;
    try {
      clientId = await registerWithGate(
        gate,
        { name: this.options.clientName, host: this.options.host, version: this.options.version },
        {
          log: this.log,
          everyMs: Math.min(this.options.pollIntervalMs, 5_000),
          stopped: () => this.stopping,
          nap: (ms) => this.waker.nap(ms),
        },
      );
    } catch (error) {
      this.log.error(`the gate refused to register this worker: ${(error as Error).message}`);
      return isKeyRefused(error) ? 5 : 1;
    }
    if (!clientId) return 0; // stopped while waiting for the gate
    this.clientId = clientId;
    // Whatever an earlier run left in the outbox goes up now, before and while this run downloads more.
    this.outbox.start();
    this.keeper = new LeaseKeeper({
      gate,
      clientId,
      idleIntervalMs: this.options.heartbeatIntervalMs,
      log: this.log,
      onGateBack: () => this.outbox.gateAnswers(),
      onKeyRefused: (error) => this.keyRefused(error),
    });
    await this.keeper.start();
    const unsubscribe = listenForTaskNudges(gate, clientId, {
      log: this.log,
      wake: () => this.waker.wake(),
      keyRefused: (error) => this.keyRefused(error),
    });
    try {
      while (!this.stopping) {
        if (this.options.once && this.claimed > 0) {
          await Promise.all([...this.running.values()].map((task) => task.done));
          break;
        }
        const coolDown = this.coolDownUntil - Date.now();
        if (coolDown > 0) {
          await this.waker.nap(coolDown);
          continue;
        }
        if (this.fetching() < this.options.tasks && this.running.size < 2 * this.options.tasks) {
          const lease = await this.claim(clientId);
          if (lease) {
            this.start(lease);
            continue;
          }
        }
        await this.waker.nap(this.options.pollIntervalMs);
      }
      await this.windDown();
    } finally {
      unsubscribe();
      this.keeper.stop();
      await this.sessions.close();
      // Upload what is left while we may (the grace period on a signal, --upload-wait otherwise); what is
      // still in the outbox then goes up on the next start.
      const grace = this.stopping ? this.options.shutdownGraceMs : this.options.uploadWaitMs;
      await this.outbox.stop(this.hurry.signal.aborted ? Date.now() : Date.now() + grace);
      if (this.outbox.pending > 0)
        this.log.warn(
          { pending: this.outbox.pending, outbox: this.outbox.dir },
          'documents wait in the outbox; they are uploaded when a worker starts on it again',
        );
      if (!this.refusedBy) await sayGoodbye(gate, clientId, this.log);
      await gate.close();
    }
    if (this.refusedBy) return 5;
    return this.options.once && this.failures > 0 ? 1 : 0;
  }

  /**
   * Tasks still fetching: --tasks bounds these. A task whose last decisions are in flight (or all fetched) finishes
   * them and waits for their upload and its completion without a slot (at most as many again), so the next task's
   * claim and search overlap that tail; the host's politeness still bounds the registry requests in flight.
   */
  private fetching(): number {
    let count = 0;
    for (const task of this.running.values()) if (!task.fetched) count++;
    return count;
  }

  private async claim(clientId: string): Promise<GateLease | null> {
    try {
      const lease = await this.deps.gate.claimTask(clientId);
      if (this.gateDown) {
        this.log.info('the gate answers again');
        this.outbox.gateAnswers();
      }
      this.gateDown = false;
      return lease;
    } catch (error) {
      if (isKeyRefused(error)) {
        this.keyRefused(error);
        return null;
      }
      if (!this.gateDown)
        this.log.warn({ err: (error as Error).message }, 'claim failed; trying again every poll interval');
      this.gateDown = true;
      return null;
    }
  }

  private stopTask(task: RunningTask, reason: NonNullable<RunningTask['stopReason']>): void {
    if (task.stopReason === 'lost') return;
    task.stopReason = reason;
    task.stop.abort(reason);
  }

  private start(lease: GateLease): void {
    this.claimed++;
    const taskId = lease.task.id;
    const label = `${lease.task.kind.toLowerCase()} ${taskId.slice(0, 8)}`;
    this.log.info(
      {
        task: taskId,
        kind: lease.task.kind,
        searchParams: lease.task.searchParams,
        startPage: lease.task.startPage,
        maxDocuments: lease.task.maxDocuments,
      },
      `claimed ${label}`,
    );
    const task: RunningTask = {
      lease,
      stop: new AbortController(),
      stopReason: null,
      fetched: false,
      settling: false,
      abandoned: false,
      view: this.deps.display.startTask(taskId, label),
      reporter: new ProgressReporter({
        gate: this.deps.gate,
        clientId: this.clientId!,
        lease,
        log: this.log,
        minIntervalMs: this.options.progressIntervalMs,
        onLeaseLost: (reason) => this.leaseLost(task, `progress answered LEASE_LOST (${reason ?? 'unknown'})`),
      }),
      done: Promise.resolve(),
    };
    this.running.set(taskId, task);
    this.keeper!.track(taskId, () => this.leaseLost(task, 'heartbeat: the lease was revoked'));
    task.done = this.runTask(task)
      .catch((error) => this.log.error({ task: taskId, err: error }, 'task runner crashed'))
      .finally(() => {
        this.keeper!.untrack(taskId);
        task.reporter.close();
        this.running.delete(taskId);
        this.waker.wake();
      });
  }

  private leaseLost(task: RunningTask, why: string): void {
    if (task.settling) return;
    if (task.stopReason !== 'lost') this.log.warn({ task: task.lease.task.id }, `${why}; stopping the task`);
    task.stopReason = 'lost';
    task.stop.abort('lost');
  }

  private async runTask(task: RunningTask): Promise<void> {
    let outcome = await runClaimedTask(task, {
      gate: this.deps.gate,
      clientId: this.clientId!,
      log: this.log,
      options: this.options,
      sessions: this.sessions,
      outbox: this.outbox,
      inFlightDocuments: this.inFlightDocuments,
      onFetched: () => this.waker.wake(),
    });
    if (task.stopReason === 'lost') outcome = { kind: 'lost', reason: 'lease lost' };
    await this.settle(task, outcome);
  }

  /** Delivers the outcome (complete, fail, release, or — lease lost — nothing) and keeps the books. */
  private async settle(task: RunningTask, outcome: Outcome): Promise<void> {
    task.settling = true;
    if (task.abandoned) return; // the shutdown path released it already
    if (outcome.kind === 'failed') {
      this.failures++;
      if (outcome.errorClass === 'CHALLENGE') this.coolDown(outcome.message, task);
    }
    const delivered = await deliverOutcome({
      gate: this.deps.gate,
      log: this.log,
      lease: task.lease,
      reporter: task.reporter,
      outcome,
      // a task stopped by a cool-down goes back to the queue rather than failing
      release: outcome.kind === 'interrupted' || (outcome.kind === 'failed' && task.stopReason === 'cooldown'),
      // while shutting down, deliveries get until the grace period ends (and a little for the release)
      deadline: this.stopping ? Date.now() + Math.max(2_000, this.options.shutdownGraceMs) : undefined,
    });
    if (delivered !== 'not delivered') this.stats[delivered]++;
    task.view.done(delivered === 'failed' && outcome.kind === 'failed' ? `failed ${outcome.errorClass}` : delivered);
  }

  /** A challenge: no registry requests and no claims for the cool-down; other running tasks are handed back. */
  private coolDown(message: string, from: RunningTask): void {
    const ms = this.options.challengeCooldownMs;
    // No pauseFor on the shared politeness: it would hold the other tasks' queued requests (and their leases)
    // for the whole cool-down. Those tasks are stopped and handed back instead; the challenged session is
    // stopped for good by the registry library.
    this.coolDownUntil = Math.max(this.coolDownUntil, Date.now() + ms);
    // `until` says when it ends: what an operator (and the tests) can check the quiet against.
    this.log.warn(
      { seconds: ms / 1000, until: new Date(this.coolDownUntil).toISOString() },
      `the registry challenged this worker (${message}); cooling down: no requests, no claims`,
    );
    for (const task of this.running.values()) if (task !== from) this.stopTask(task, 'cooldown');
  }

  /** After stop(): wait for the tasks up to the grace period, then report and release whatever is left. */
  private async windDown(): Promise<void> {
    const tasks = [...this.running.values()];
    if (tasks.length === 0) return;
    await Promise.race([
      Promise.all(tasks.map((task) => task.done)),
      sleep(this.options.shutdownGraceMs, this.hurry.signal),
    ]);
    const left = tasks.filter((task) => this.running.has(task.lease.task.id) && !task.settling);
    if (left.length > 0) {
      for (const task of left) task.abandoned = true;
      this.stats.released += await releaseUnfinished(this.deps.gate, this.log, left, Date.now() + 5_000);
    }
    // Deliveries still under way (completions in their retry loop) get the rest of their own deadline.
    await Promise.race([Promise.all(tasks.map((task) => task.done)), sleep(5_000, this.hurry.signal)]);
  }
}
