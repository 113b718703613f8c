/**
 * The lease keeper: one heartbeat per worker. While tasks run it heartbeats every third of the lease
 * length the gate announces (`heartbeat` answers `leaseSeconds`), whatever --heartbeat-interval says;
 * while idle, every --heartbeat-interval. The heartbeat names the running tasks; any the gate answers in
 * `revokedTaskIds` (cancelled, expired and taken over) are handed to their `onRevoked`. When the gate
 * cannot be reached it tries again soon (every second, or sooner for short leases).
 */
import type { GateClient } from '../gate/client.ts';
import { isKeyRefused } from '../gate/errors.ts';
import type { Logger } from './log.ts';

export interface LeaseKeeperOptions {
  gate: GateClient;
  clientId: string;
  idleIntervalMs: number;
  log: Logger;
  /** a heartbeat got through after failing ones: the gate is back (the outbox uploads again at once) */
  onGateBack?: () => void;
  /** the gate refused the key or the client (revoked, disabled): heartbeats cannot keep any lease */
  onKeyRefused?: (error: Error) => void;
}

export class LeaseKeeper {
  /** Lease length the gate last announced (until the first heartbeat: the gate's default). */
  leaseSeconds = 60;
  private readonly tracked = new Map<string, () => void>();
  private timer: NodeJS.Timeout | null = null;
  private nextAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  private inFlight: Promise<void> | null = null;
  private failing = false;

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** Heartbeats once now (learning the lease length), then on schedule. */
  async start(): Promise<void> {
    await this.beat();
  }

  get runningIntervalMs(): number {
    return Math.max(100, (this.leaseSeconds * 1000) / 3);
  }

  /** A task is running: keep its lease alive; `onRevoked` runs if the gate says it is no longer ours. */
  track(taskId: string, onRevoked: () => void): void {
    this.tracked.set(taskId, onRevoked);
    this.schedule(this.runningIntervalMs);
  }

  untrack(taskId: string): void {
    this.tracked.delete(taskId);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Schedules the next heartbeat in `ms` unless one is due sooner. */
  private schedule(ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + ms;
    if (this.timer && at >= this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextAt = Number.POSITIVE_INFINITY;
      void this.beat();
    }, ms);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.send().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async send(): Promise<void> {
    const named = [...this.tracked.keys()];
    const { gate, clientId, log, idleIntervalMs } = this.options;
    try {
      const answer = await gate.heartbeat(clientId, named);
      if (this.failing) {
        log.info('heartbeat: the gate answers again');
        this.options.onGateBack?.();
      }
      this.failing = false;
      this.leaseSeconds = answer.leaseSeconds;
      for (const taskId of answer.revokedTaskIds) {
        const onRevoked = this.tracked.get(taskId);
        if (onRevoked) {
          this.tracked.delete(taskId);
          onRevoked();
        }
      }
    } catch (error) {
      if (isKeyRefused(error)) this.options.onKeyRefused?.(error);
      if (!this.failing) log.warn({ err: (error as Error).message }, 'heartbeat failed; retrying');
      this.failing = true;
      this.schedule(this.tracked.size > 0 ? Math.min(1_000, this.runningIntervalMs) : Math.min(5_000, idleIntervalMs));
      return;
    }
    this.schedule(this.tracked.size > 0 ? this.runningIntervalMs : idleIntervalMs);
  }
}
