// Closed subscriptions let go of everything they held. For every subscription kind: open 1,000 (over ten
// WebSockets), close them (half one by one with `complete`, half by closing their sockets), and the gate's
// resources return to baseline — bus streams (listeners), stats channels, timers — and so do the
// subscription/WebSocket gauges in /metrics. Also: statsUpdated subscribers share one computation.
import { createClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { openSubscriptionGauges } from '../support/metrics.ts';
import { eventually } from '../worker/support.ts';
import * as op from '../gate/operations.ts';

const statsCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../server/services/stats.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../server/services/stats.ts')>();
  return {
    ...actual,
    getStats: (minutes?: number) => {
      statsCalls.count++;
      return actual.getStats(minutes);
    },
  };
});

let t: TestGate;
let taskId: string;
let clientId: string;

beforeAll(async () => {
  t = await startTestGate('postgres', {
    limits: { maxSubscriptionsPerConnection: 1000, maxSubscriptionsPerKey: 5000 },
  });
  taskId = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id;
  clientId = (await t.ok(op.REGISTER, { name: 'quiet-worker' })).registerClient.id;
});
afterAll(() => t?.stop());

const socket = (): WsClient =>
  createClient({
    url: t.graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { apiKey: ADMIN_KEY },
    retryAttempts: 0,
  });

/** What the gate holds for live subscribers, besides the gauges. */
const held = () => ({
  streams: t.gate.bus.openStreams,
  channels: t.gate.statsFeed.openChannels,
  timers: process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length,
});

const KINDS: Array<[string, string, () => Record<string, unknown>]> = [
  ['taskEvents', 'subscription { taskEvents { seq } }', () => ({})],
  [
    'taskEvents (filtered, replaying)',
    'subscription($f: TaskEventFilter, $a: SafeInt) { taskEvents(filter: $f, afterSeq: $a) { seq } }',
    () => ({ f: { taskId, types: ['COMPLETED'] }, a: 0 }),
  ],
  ['taskUpdated(id)', 'subscription($id: ID!) { taskUpdated(id: $id) { id } }', () => ({ id: taskId })],
  ['taskAvailable', 'subscription { taskAvailable { taskId } }', () => ({})],
  ['statsUpdated(minutes)', 'subscription { statsUpdated(minutes: 60) { tasksTotal } }', () => ({})],
  ['clientUpdated(id)', 'subscription($id: ID) { clientUpdated(id: $id) { id } }', () => ({ id: clientId })],
  ['clientUpdated', 'subscription { clientUpdated { id } }', () => ({})],
];

describe('closed subscriptions are released', () => {
  it.each(KINDS)('%s: 1,000 opened and closed → resources and gauges back to baseline', async (_kind, query, vars) => {
    const baseline = held();
    expect(await openSubscriptionGauges(t.url)).toEqual({ ws: 0, http: 0, sockets: 0 });

    const sockets = Array.from({ length: 10 }, socket);
    const errors: unknown[] = [];
    const unsubscribes = sockets.map((client) =>
      Array.from({ length: 100 }, () =>
        client.subscribe(
          { query, variables: vars() },
          { next: () => {}, error: (e) => errors.push(e), complete: () => {} },
        ),
      ),
    );
    await eventually(async () => (await openSubscriptionGauges(t.url)).ws === 1000, 60_000, '1,000 open subscriptions');
    expect(errors).toEqual([]);
    expect((await openSubscriptionGauges(t.url)).sockets).toBe(10);

    // half: `complete` one by one on open sockets; the other half: the socket goes away
    for (const unsubscribe of unsubscribes.slice(0, 5).flat()) unsubscribe();
    await eventually(async () => (await openSubscriptionGauges(t.url)).ws === 500, 30_000, '500 completed');
    await Promise.all(sockets.map((client) => client.dispose()));

    await eventually(
      async () => {
        const gauges = await openSubscriptionGauges(t.url);
        return gauges.ws === 0 && gauges.http === 0 && gauges.sockets === 0;
      },
      30_000,
      'subscription and WebSocket gauges back to 0',
    );
    // Pool idle timers come and go; a leak would be hundreds.
    const now = await eventually(
      () => {
        const h = held();
        return h.streams === baseline.streams && h.channels === baseline.channels && h.timers <= baseline.timers + 5
          ? h
          : null;
      },
      30_000,
      'bus streams, stats channels and timers back to baseline',
    );
    expect(now.streams).toBe(0);
  });

  it('over SSE too: aborted requests release their subscriptions', async () => {
    const controllers = Array.from({ length: 50 }, () => new AbortController());
    await Promise.all(
      controllers.map((controller) =>
        fetch(t.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': ADMIN_KEY },
          body: JSON.stringify({
            query: 'subscription($id: ID) { clientUpdated(id: $id) { id } }',
            variables: { id: clientId },
          }),
          signal: controller.signal,
        }),
      ),
    );
    await eventually(async () => (await openSubscriptionGauges(t.url)).http === 50, 30_000, '50 SSE subscriptions');
    for (const controller of controllers) controller.abort();
    await eventually(async () => (await openSubscriptionGauges(t.url)).http === 0, 30_000, 'SSE gauge back to 0');
    await eventually(() => t.gate.bus.openStreams === 0, 30_000, 'bus streams released');
  });
});

describe('statsUpdated: one computation for all subscribers', () => {
  it('300 subscribers on two windows: a handful of getStats calls per interval, not one per subscriber', async () => {
    const client = socket();
    const latest = new Map<string, number>();
    const started = performance.now();
    statsCalls.count = 0;
    const windows = [60, 30];
    for (let i = 0; i < 300; i++) {
      const minutes = windows[i % 2];
      client.subscribe(
        { query: `subscription { statsUpdated(minutes: ${minutes}) { tasksTotal } }` },
        {
          next: (r) => latest.set(String(i), (r.data as any).statsUpdated.tasksTotal),
          error: () => {},
          complete: () => {},
        },
      );
    }
    await eventually(() => latest.size === 300, 60_000, 'every subscriber has its first stats');
    const before = [...latest.values()][0];
    await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } });
    await eventually(
      () => [...latest.values()].every((total) => total === before + 1),
      60_000,
      'every subscriber saw the new task',
    );
    const seconds = (performance.now() - started) / 1000;
    // Per window: at most one computation per second (plus the first and a newcomer's), however many listen.
    expect(statsCalls.count).toBeLessThanOrEqual(windows.length * (Math.ceil(seconds) + 2));
    expect(statsCalls.count).toBeGreaterThanOrEqual(windows.length);
    expect(t.gate.statsFeed.openChannels).toBe(2);
    await client.dispose();
    await eventually(() => t.gate.statsFeed.openChannels === 0 && t.gate.bus.openStreams === 0, 30_000, 'released');
  });
});
