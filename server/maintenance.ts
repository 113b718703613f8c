// The sweeper: requeues expired leases and marks silent workers inactive. Several gates may share a
// database; an advisory lock makes exactly one of them the sweeper, and when that gate dies its lock goes
// with its connection, so another gate takes over at its next tick.
import type { Database, HeldLock } from './db/client.ts';
import type { Logger } from './observability/logger.ts';
import { markSilentClientsInactive } from './services/clients.ts';
import { requeueExpiredLeases } from './services/leases.ts';

const SWEEPER_LOCK_KEY = 7_250_003;

export interface SweepResult {
  requeued: number;
  dead: number;
  inactiveClients: number;
}

export class Sweeper {
  private timer?: NodeJS.Timeout;
  private lock: HeldLock | null = null;
  private running: Promise<unknown> | null = null;
  onSweep?: (result: SweepResult) => void;

  constructor(
    private readonly db: Database,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  get isLeader(): boolean {
    return this.lock?.held ?? false;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.lock?.release();
    this.lock = null;
  }

  /** One round: become the sweeper if nobody is, then sweep. Safe to call at any time (tests do). */
  tick(): Promise<unknown> {
    if (this.running) return this.running;
    this.running = this.round()
      .catch((error) => this.log.warn({ err: error }, 'sweep failed; will retry'))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<SweepResult | null> {
    if (!this.lock?.held) {
      this.lock = await this.db.tryAdvisoryLock(SWEEPER_LOCK_KEY);
      if (!this.lock) return null;
      this.log.info('this gate is now the sweeper');
    }
    const moved = await requeueExpiredLeases();
    const inactive = await markSilentClientsInactive();
    const result = {
      requeued: moved.filter((t) => t.status === 'PENDING').length,
      dead: moved.filter((t) => t.status === 'DEAD').length,
      inactiveClients: inactive.length,
    };
    if (moved.length || inactive.length) this.log.info(result, 'sweep');
    this.onSweep?.(result);
    return result;
  }
}
