// A WebSocket that never sends connection_init is closed (4408) after WS_CONNECTION_INIT_TIMEOUT_SECONDS, and
// counted as a rejection. A file of its own: with so short a timeout, a busy box could delay other tests' init.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { sample, scrape } from '../support/metrics.ts';
import { eventually } from '../worker/support.ts';

let t: TestGate;
beforeAll(async () => {
  t = await startTestGate('postgres', { limits: { wsConnectionInitTimeoutMs: 200 } });
});
afterAll(() => t?.stop());

it('a socket that never sends connection_init is closed with 4408', async () => {
  const socket = new WebSocket(t.graphqlUrl.replace('http', 'ws'), 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  expect(await closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
  await eventually(
    async () => sample(await scrape(t.url), 'reyestr_limit_rejections_total', { limit: 'ws_init_timeout' }) === 1,
    10_000,
    'counted as a rejection',
  );
  expect(sample(await scrape(t.url), 'reyestr_websocket_connections')).toBe(0);
});
