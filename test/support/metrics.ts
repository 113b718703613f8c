// Reads a gate's /metrics (Prometheus text) for tests: one sample by name and labels.
import { safetyNet, WAIT_FLOOR_MS } from './deadlines.ts';

export type Samples = Map<string, number>;

/** Every sample of the gate's /metrics, keyed `name` or `name{a="x",b="y"}` as printed. */
export async function scrape(gateUrl: string): Promise<Samples> {
  const text = await (await fetch(`${gateUrl}/metrics`)).text();
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** A sample's value (0 when absent, as a gauge with no labelled children yet). */
export function sample(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  const printed = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return samples.get(printed ? `${name}{${printed}}` : name) ?? 0;
}

/** Subscriptions open (both transports) and WebSocket connections, as /metrics says now. */
export async function openSubscriptionGauges(gateUrl: string) {
  const s = await scrape(gateUrl);
  return {
    ws: sample(s, 'reyestr_graphql_subscriptions_open', { transport: 'ws' }),
    http: sample(s, 'reyestr_graphql_subscriptions_open', { transport: 'http' }),
    sockets: sample(s, 'reyestr_websocket_connections'),
  };
}

/** WebSocket subscriptions open on these gates together. */
export async function wsSubscriptionsOpen(gateUrls: string[]): Promise<number> {
  return (await Promise.all(gateUrls.map(openSubscriptionGauges))).reduce((sum, gauges) => sum + gauges.ws, 0);
}

/**
 * Waits until the gates hold at least `count` open WebSocket subscriptions between them: a subscription the
 * test just opened is live once its gate counts it (instead of sleeping and hoping it got there). Polls /metrics;
 * the deadline is a safety net for a busy box, never less than WAIT_FLOOR_MS (it was a fixed 60 s).
 */
export async function waitForWsSubscriptions(gateUrls: string[], count: number, asked = WAIT_FLOOR_MS): Promise<void> {
  const timeoutMs = safetyNet(asked);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await wsSubscriptionsOpen(gateUrls);
    if (open >= count) return;
    if (Date.now() > deadline)
      throw new Error(`${open} of ${count} WebSocket subscriptions open after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
