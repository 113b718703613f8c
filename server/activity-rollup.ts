// Keeps the activity rollups (the dashboard's throughput and failure charts) up with the task event log, off the
// claim/complete path: every second each gate reads the log's horizon (every event at or below it is final,
// docs/event-log.md) and rolls the events up to it into activity_minutes / activity_hours (db/sql/roll-up-activity.ts;
// while one gate does, the others skip). It used to be a trigger on task_events: two upserts in every writing
// statement, and on completions a lock on the worker's minute row held until commit. Readers add the events not
// rolled up yet, so the charts are exact and live whatever this lags; the lag only sizes that tail.
import type { Database } from './db/database.ts';
import { rollUpActivity } from './db/sql/roll-up-activity.ts';
import { EventHorizon } from './events/horizon.ts';
import { reportInternalError } from './observability/internal-errors.ts';
import type { Logger } from './observability/logger.ts';

export class ActivityRollup {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> | null = null;
  private horizon?: Promise<EventHorizon>;

  constructor(
    private readonly db: Database,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round (overlapping calls share it): the seq the rollups now reach, null when nothing moved here. */
  tick(): Promise<unknown> {
    if (this.running) return this.running;
    this.running = this.round()
      .catch((error) => {
        this.horizon = undefined; // a new connection may be needed; start from a fresh checkpoint
        this.log.warn({ err: error }, 'activity roll-up failed; will retry');
        reportInternalError('sweeper', error); // background upkeep, counted with the sweeper's
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<bigint | null> {
    if (this.db.kind === 'pglite') return rollUpActivity(null); // one session: every visible event is final
    this.horizon ??= EventHorizon.open(this.db).then((opened) => opened.horizon);
    const horizon = await this.horizon;
    await horizon.read(0n, null, 0); // moves the horizon on; reads no events
    return rollUpActivity(horizon.upTo);
  }
}
