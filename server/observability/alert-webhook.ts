// Posts alerts to ALERT_WEBHOOK_URL in Alertmanager's webhook shape (version 4: status, alerts with labels,
// annotations, startsAt/endsAt), plus a `text` line list that Slack- and Mattermost-style incoming webhooks show
// as is. Deduplicated: an alert is posted when it starts, again only after the repeat interval while it lasts,
// and once when it ends; all of one check go in one request. A request that fails is retried with backoff
// (network errors, 408, 429, 5xx); what still was not delivered is tried again at the next check. The body
// holds alert names, fixed texts, counts and the gate's host:port — no keys, no URLs, no error messages.
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from './logger.ts';
import type { ActiveAlert } from './alert-rules.ts';

export interface WebhookOptions {
  url: string;
  /** a firing alert is posted again after this long */
  repeatMs: number;
  /** this gate, as host:port (the `instance` label of its own alerts) */
  instance: string;
  log: Logger;
  /** retries of one request (default 3), the first after retryMinMs (default 500 ms), doubling */
  retries?: number;
  retryMinMs?: number;
  timeoutMs?: number;
}

interface Tracked {
  alert: ActiveAlert;
  startsAt: Date;
  endsAt: Date | null;
  /** when its firing was last delivered (null: not yet) */
  sentAt: number | null;
}

export interface Delivery {
  firing: string[];
  resolved: string[];
  delivered: boolean;
}

export class AlertWebhook {
  private readonly tracked = new Map<string, Tracked>();
  private readonly target: string;
  /** requests delivered (for tests and logs) */
  delivered = 0;

  constructor(private readonly opts: WebhookOptions) {
    // The URL's path and query may be its secret (Slack's are): logs name only its origin.
    this.target = new URL(opts.url).origin;
  }

  /** Takes the alerts active now; posts what changed or is due again. */
  async deliver(active: ActiveAlert[], now: number): Promise<Delivery | null> {
    const activeKeys = new Set<string>();
    for (const alert of active) {
      const key = this.keyOf(alert);
      activeKeys.add(key);
      const known = this.tracked.get(key);
      if (!known || known.endsAt) this.tracked.set(key, { alert, startsAt: new Date(now), endsAt: null, sentAt: null });
      else known.alert = alert; // the latest numbers
    }
    for (const [key, t] of this.tracked) {
      if (activeKeys.has(key) || t.endsAt) continue;
      if (t.sentAt === null)
        this.tracked.delete(key); // ended before anyone was told it began
      else t.endsAt = new Date(now);
    }
    const due = [...this.tracked.values()].filter(
      (t) => t.endsAt || t.sentAt === null || now - t.sentAt >= this.opts.repeatMs,
    );
    if (due.length === 0) return null;

    const delivery = {
      firing: due.filter((t) => !t.endsAt).map((t) => t.alert.name),
      resolved: due.filter((t) => t.endsAt).map((t) => t.alert.name),
      delivered: false,
    };
    try {
      await this.post(this.body(due));
    } catch (error) {
      this.opts.log.warn(
        { err: { message: (error as Error).message }, webhook: this.target, ...delivery },
        'alert webhook not delivered; will try again at the next check',
      );
      return delivery;
    }
    this.delivered++;
    for (const t of due) {
      if (t.endsAt) this.tracked.delete(this.keyOf(t.alert));
      else t.sentAt = now;
    }
    this.opts.log.info({ webhook: this.target, firing: delivery.firing, resolved: delivery.resolved }, 'alerts posted');
    return { ...delivery, delivered: true };
  }

  private keyOf(alert: ActiveAlert) {
    return alert.scope === 'gate' ? `${alert.name} ${this.opts.instance}` : alert.name;
  }

  private labelsOf(alert: ActiveAlert): Record<string, string> {
    return {
      alertname: alert.name,
      severity: alert.severity,
      ...(alert.scope === 'gate' ? { instance: this.opts.instance } : {}),
    };
  }

  private body(due: Tracked[]) {
    const alerts = due.map((t) => ({
      status: t.endsAt ? 'resolved' : 'firing',
      labels: this.labelsOf(t.alert),
      annotations: { summary: t.alert.summary, description: t.alert.description },
      startsAt: t.startsAt.toISOString(),
      endsAt: t.endsAt?.toISOString() ?? '0001-01-01T00:00:00Z',
    }));
    return {
      version: '4',
      receiver: 'reyestr',
      status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      alerts,
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      text: alerts
        .map(
          (a) =>
            `[${a.status.toUpperCase()}] ${a.labels.alertname}: ${a.annotations.summary} (reyestr ${this.opts.instance})`,
        )
        .join('\n'),
    };
  }

  private post(body: unknown) {
    const json = JSON.stringify(body);
    return pRetry(
      async () => {
        const res = await fetch(this.opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: json,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
        await res.body?.cancel();
        if (res.ok) return;
        const error = new Error(`the webhook answered ${res.status}`);
        if (res.status === 408 || res.status === 429 || res.status >= 500) throw error;
        throw new AbortError(error); // a 4xx will not change by asking again
      },
      { retries: this.opts.retries ?? 3, minTimeout: this.opts.retryMinMs ?? 500, factor: 2 },
    );
  }
}
