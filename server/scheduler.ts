// The follow scheduler: runs each due follow (services/follow-runs.ts) and settles finished rounds between
// runs. Several gates may share a database; an advisory lock makes exactly one of them the scheduler (as
// with the sweeper), and each run also locks its follow's row, so a due run happens once. Only the next
// time after "now" is scheduled, so runs missed while every gate was down become one run at start.
import type { Database } from './db/database.ts';
import { LeaderLoop } from './leader-loop.ts';
import type { Logger } from './observability/logger.ts';
import { runDueFollows, settleFollows } from './services/follow-runs.ts';

const SCHEDULER_LOCK_KEY = 7_250_017;

export class FollowScheduler extends LeaderLoop<number> {
  constructor(db: Database, intervalMs: number, log: Logger) {
    super(db, intervalMs, log, 'follow scheduler', SCHEDULER_LOCK_KEY);
  }

  /** Settle finished rounds, then run what is due. */
  protected async work(): Promise<number> {
    await settleFollows();
    const runs = await runDueFollows();
    for (const run of runs)
      this.log.info({ followId: run.followId, round: run.round, summary: run.summary }, 'follow run');
    return runs.length;
  }
}
