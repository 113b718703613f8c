// A job exactly one gate of several runs at a time: every tick it tries to take (or keeps) a session advisory
// lock and, while it holds it, does one round of work. When the leading gate dies its lock goes with its
// connection, so another gate takes over at its next tick. The sweeper and the follow scheduler are two.
import type { Database, HeldLock } from './db/database.ts';
import { type FaultSource, reportInternalError } from './observability/internal-errors.ts';
import type { Logger } from './observability/logger.ts';

export abstract class LeaderLoop<Result> {
  private timer?: NodeJS.Timeout;
  private lock: HeldLock | null = null;
  private running: Promise<unknown> | null = null;

  /** `role` names the job in logs ("sweeper", "follow scheduler"); `lockKey` is its advisory lock. */
  constructor(
    protected readonly db: Database,
    private readonly intervalMs: number,
    protected readonly log: Logger,
    private readonly role: FaultSource,
    private readonly lockKey: number,
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

  /** One round: lead if nobody does, then work. Safe to call at any time (tests do); overlapping calls share a round. */
  tick(): Promise<unknown> {
    if (this.running) return this.running;
    this.running = this.round()
      .catch((error) => {
        this.log.warn({ err: error }, `${this.role} round failed; will retry`);
        reportInternalError(this.role, error);
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  /** The work of one round, run only while this gate leads. */
  protected abstract work(): Promise<Result>;

  private async round(): Promise<Result | null> {
    if (!this.lock?.held) {
      this.lock = await this.db.tryAdvisoryLock(this.lockKey);
      if (!this.lock) return null;
      this.log.info(`this gate is now the ${this.role}`);
    }
    return this.work();
  }
}
