// The conditions of deploy/prometheus/alerts.yml, judged inside the gate for ALERT_WEBHOOK_URL (teams without
// Prometheus). Pure: the monitor (alert-monitor.ts) feeds it what it observed at each check; this says which
// alerts are active now. Alert names are the Prometheus rules' names, so both ways read alike.

export interface AlertThresholds {
  /** the window rates and rises are judged over (Prometheus: 15m) */
  windowMs: number;
  /** no heartbeat from any worker for longer than this (Prometheus: 5m) */
  heartbeatSilenceMs: number;
  /** CHALLENGE + RATE_LIMITED over finished attempts, above which the registry is pushing back */
  blockedShare: number;
  /** fewer finished attempts than this in the window say nothing about a share */
  minAttempts: number;
  /** more of this gate's database (or store) faults than this in the window */
  maxFaults: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  windowMs: 15 * 60_000,
  heartbeatSilenceMs: 5 * 60_000,
  blockedShare: 0.2,
  minAttempts: 5,
  maxFaults: 5,
};

/** One check of the monitor. */
export interface Observation {
  at: number;
  /** this gate could read the database at this check */
  databaseOk: boolean;
  /** this gate's own faults since the previous check */
  faults: { database: number; store: number };
  /** database-wide facts: present when this gate judged them (it holds the alert lock and the read worked) */
  queue: {
    ready: number;
    /** how long ago the newest worker heartbeat was (database clock); null: no worker */
    heartbeatAgeMs: number | null;
    /** since the previous check */
    completed: number;
    failed: number;
    blocked: number;
    dead: number;
  } | null;
}

export interface ActiveAlert {
  name: string;
  severity: 'critical' | 'warning';
  /** 'gate': about this gate (each gate says it); 'queue': about the shared database (one gate says it) */
  scope: 'gate' | 'queue';
  summary: string;
  description: string;
}

const minutes = (ms: number) => `${Math.round(ms / 60_000)} minute${Math.round(ms / 60_000) === 1 ? '' : 's'}`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The alerts active after the latest observation. `history` is oldest first and holds the observations of at
 * least the last window; `queueSince` is when this gate began judging the queue (it must have watched a whole
 * window before it may say that nothing completed in it).
 */
export function activeAlerts(
  history: Observation[],
  now: number,
  t: AlertThresholds,
  queueSince: number | null,
): ActiveAlert[] {
  const latest = history.at(-1);
  if (!latest) return [];
  const inWindow = history.filter((o) => o.at > now - t.windowMs);
  const alerts: ActiveAlert[] = [];

  // The gate's own: said by each gate about itself.
  const previous = history.at(-2);
  if (!latest.databaseOk && !previous?.databaseOk) {
    alerts.push({
      name: 'ReyestrDatabaseDown',
      severity: 'critical',
      scope: 'gate',
      summary: 'The gate cannot read its database',
      description: 'Two checks in a row could not read the database: workers can neither claim nor report.',
    });
  }
  const databaseFaults = sum(inWindow.map((o) => o.faults.database));
  if (databaseFaults > t.maxFaults) {
    alerts.push({
      name: 'ReyestrDatabaseErrors',
      severity: 'warning',
      scope: 'gate',
      summary: `${databaseFaults} database errors in ${minutes(t.windowMs)}`,
      description: 'Requests or sweeper/scheduler rounds failed on the database. The gate logs each one.',
    });
  }
  const storeFaults = sum(inWindow.map((o) => o.faults.store));
  if (storeFaults > t.maxFaults) {
    alerts.push({
      name: 'ReyestrDocumentStoreErrors',
      severity: 'warning',
      scope: 'gate',
      summary: `${storeFaults} document store (S3) errors in ${minutes(t.windowMs)}`,
      description:
        'Reading or writing decisions in the object store failed. Workers keep documents in their outboxes and retry.',
    });
  }

  // The queue's: only the gate that judges the queue now, from what it saw since it began to.
  const queue = latest.queue;
  if (!queue || queueSince === null) return alerts;
  const judged = inWindow.filter((o) => o.queue && o.at >= queueSince).map((o) => o.queue!);
  if (queue.heartbeatAgeMs !== null && queue.heartbeatAgeMs > t.heartbeatSilenceMs) {
    alerts.push({
      name: 'ReyestrNoWorkerHeartbeat',
      severity: 'warning',
      scope: 'queue',
      summary: `No worker heartbeat for ${minutes(queue.heartbeatAgeMs)}`,
      description: `No worker that is not disabled has sent a heartbeat (or any request) for over ${minutes(t.heartbeatSilenceMs)}.`,
    });
  }
  const dead = sum(judged.map((q) => q.dead));
  if (dead >= 1) {
    alerts.push({
      name: 'ReyestrDeadTasksRising',
      severity: 'warning',
      scope: 'queue',
      summary: `${dead} more DEAD task${dead === 1 ? '' : 's'} in ${minutes(t.windowMs)}`,
      description:
        'Tasks ran out of attempts or stalls. `reyestr tasks list --status DEAD` shows them with their last error.',
    });
  }
  const completed = sum(judged.map((q) => q.completed));
  if (now - queueSince >= t.windowMs && completed === 0 && judged.every((q) => q.ready > 0)) {
    alerts.push({
      name: 'ReyestrThroughputStalled',
      severity: 'warning',
      scope: 'queue',
      summary: `No task completed in ${minutes(t.windowMs)} while ${queue.ready} tasks are ready`,
      description: 'Tasks wait to be claimed but none completed: workers are stopped, stuck or failing.',
    });
  }
  const attempts = completed + sum(judged.map((q) => q.failed));
  const blocked = sum(judged.map((q) => q.blocked));
  if (attempts >= t.minAttempts && blocked / attempts > t.blockedShare) {
    alerts.push({
      name: 'ReyestrRegistryBlocking',
      severity: 'warning',
      scope: 'queue',
      summary: `${Math.round((100 * blocked) / attempts)}% of finished attempts hit a registry CHALLENGE or RATE_LIMITED`,
      description:
        'The registry is pushing back. Slow the workers down (fewer workers, politeness settings) or give them other addresses.',
    });
  }
  return alerts;
}
