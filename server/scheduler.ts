// The follow scheduler: runs each due follow (services/follow-runs.ts) and settles finished rounds between
// runs. Several gates may share a database; an advisory lock makes exactly one of them the scheduler (as
// with the sweeper), and each run also locks its follow's row, so a due run happens once. Only the next
// time after "now" is scheduled, so runs missed while every gate was down become one run at start.
import type { Database, HeldLock } from './db/database.ts';
import type { Logger } from './observability/logger.ts';
import { runDueFollows, settleFollows } from './services/follow-runs.ts';

const SCHEDULER_LOCK_KEY = 7_250_017;

export class FollowScheduler {
  private timer?: NodeJS.Timeout;
  private lock: HeldLock | null = null;
  private running: Promise<unknown> | null = null;

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

  /** One round: become the scheduler if nobody is, settle finished rounds, run what is due. */
  tick(): Promise<unknown> {
    if (this.running) return this.running;
    this.running = this.round()
      .catch((error) => this.log.warn({ err: error }, 'follow scheduling failed; will retry'))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<number | null> {
    if (!this.lock?.held) {
      this.lock = await this.db.tryAdvisoryLock(SCHEDULER_LOCK_KEY);
      if (!this.lock) return null;
      this.log.info('this gate is now the follow scheduler');
    }
    await settleFollows();
    const runs = await runDueFollows();
    for (const run of runs)
      this.log.info({ followId: run.followId, round: run.round, summary: run.summary }, 'follow run');
    return runs.length;
  }
}
