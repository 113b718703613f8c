// The gate's own alerting, for ALERT_WEBHOOK_URL: every check it notes its database faults, reads the queue's
// health and what attempts ended as since the last check, judges the conditions of alerts.yml (alert-rules.ts)
// and hands the active alerts to the webhook (alert-webhook.ts). Several gates may share a database: an
// advisory lock makes one of them judge the queue (so a stalled queue is posted once, not once per gate), while
// every gate says for itself when it cannot reach the database or keeps failing on it or on the store.
import type { Database, HeldLock } from '../db/database.ts';
import { attemptOutcomesAfter } from '../db/sql/attempt-outcomes.ts';
import { readHealthSnapshot } from '../services/health-snapshot.ts';
import { type AlertThresholds, activeAlerts, type Observation } from './alert-rules.ts';
import { AlertWebhook, type Delivery } from './alert-webhook.ts';
import { onInternalError } from './internal-errors.ts';
import type { Logger } from './logger.ts';

const ALERT_LOCK_KEY = 7_250_005;

export interface AlertConfig {
  webhookUrl: string;
  checkIntervalMs: number;
  repeatMs: number;
  thresholds: AlertThresholds;
  /** retries of one webhook request and the first delay (tests shorten it) */
  retries?: number;
  retryMinMs?: number;
  /** what time it is (tests move it forward instead of waiting); default Date.now */
  clock?: () => number;
}

export class AlertMonitor {
  private timer?: NodeJS.Timeout;
  private running: Promise<Delivery | null> | null = null;
  private lock: HeldLock | null = null;
  private history: Observation[] = [];
  private faults = { database: 0, store: 0 };
  private readonly stopCounting: () => void;
  /** the event log position counted up to, while this gate judges the queue */
  private lastSeq: bigint | null = null;
  private queueSince: number | null = null;
  private readonly webhook: AlertWebhook;
  /** checks done (tests wait on it) */
  checks = 0;

  constructor(
    private readonly db: Database,
    private readonly config: AlertConfig,
    instance: string,
    private readonly log: Logger,
  ) {
    this.webhook = new AlertWebhook({
      url: config.webhookUrl,
      repeatMs: config.repeatMs,
      instance,
      log,
      retries: config.retries,
      retryMinMs: config.retryMinMs,
    });
    this.stopCounting = onInternalError(({ kind }) => {
      if (kind !== 'other') this.faults[kind]++;
    });
  }

  get judgesQueue(): boolean {
    return this.lock?.held ?? false;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.config.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopCounting();
    await this.running;
    await this.lock?.release();
    this.lock = null;
  }

  /** One check; overlapping calls share it. Answers what was posted (null: nothing was due). */
  check(): Promise<Delivery | null> {
    this.running ??= this.round()
      .catch((error) => {
        this.log.warn({ err: error }, 'alert check failed; will retry');
        return null;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<Delivery | null> {
    const now = (this.config.clock ?? Date.now)();
    const faults = this.faults;
    this.faults = { database: 0, store: 0 };
    const observation: Observation = { at: now, databaseOk: true, faults, queue: null };
    try {
      await this.takeLock();
      const snapshot = await readHealthSnapshot();
      if (this.judgesQueue) {
        const outcomes = await attemptOutcomesAfter(this.lastSeq);
        this.queueSince ??= now;
        this.lastSeq = outcomes.lastSeq;
        observation.queue = {
          ready: snapshot.ready,
          heartbeatAgeMs: snapshot.newestHeartbeat?.ageMs ?? null,
          completed: outcomes.completed,
          failed: outcomes.failed,
          blocked: outcomes.blocked,
          dead: outcomes.dead,
        };
      } else {
        this.stopJudgingQueue();
      }
    } catch {
      observation.databaseOk = false;
      this.stopJudgingQueue(); // after an outage, count from where the log is then, not from before it
    }
    this.history.push(observation);
    const keepFrom = now - this.config.thresholds.windowMs - this.config.checkIntervalMs;
    while (this.history.length > 2 && this.history[0].at < keepFrom) this.history.shift();
    this.checks++;
    const alerts = activeAlerts(this.history, now, this.config.thresholds, this.queueSince);
    return this.webhook.deliver(alerts, now);
  }

  private async takeLock() {
    if (this.lock?.held) return;
    this.lock = await this.db.tryAdvisoryLock(ALERT_LOCK_KEY);
    if (this.lock) this.log.info('this gate now judges the queue for alerts');
  }

  private stopJudgingQueue() {
    this.lastSeq = null;
    this.queueSince = null;
  }
}
