// WebSocket limits: frames no bigger than the HTTP body limit (even before connection_init), connections capped
// per address and per API key, and subscriptions per connection and per key — each with a clear answer, and each
// released again when the holder lets go. (The connection_init timeout: websocket-init-timeout.test.ts.)
import { createClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { openSubscriptionGauges, sample, scrape } from '../support/metrics.ts';
import { eventually } from '../worker/support.ts';
import { workerKey } from '../rest/support.ts';

const BODY_LIMIT = 8192;
let t: TestGate;
let wsUrl: string;

beforeAll(async () => {
  t = await startTestGate('postgres', {
    limits: {
      bodyLimitBytes: BODY_LIMIT,
      wsMaxConnectionsPerIp: 3,
      wsMaxConnectionsPerKey: 2,
      maxSubscriptionsPerConnection: 3,
      maxSubscriptionsPerKey: 4,
    },
  });
  wsUrl = t.graphqlUrl.replace('http', 'ws');
});
afterAll(() => t?.stop());

/** Each test comes from its own address (X-Forwarded-For from loopback is the proxy's word), so caps do not mix. */
let nextAddress = 10;
const address = () => `198.51.100.${nextAddress++}`;

/** A raw graphql-transport-ws socket from `from`, with what happened to it. */
function rawSocket(from: string) {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers: { 'x-forwarded-for': from } });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error('refused'), { status: res.statusCode, res })),
    );
    socket.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  opened.catch(() => {});
  return { socket, opened, closed };
}

/** A graphql-ws client from `from` with `key`. */
function client(from: string, key = ADMIN_KEY): WsClient {
  class FromAddress extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { 'x-forwarded-for': from } });
    }
  }
  // Not lazy: the socket opens now and stays open while the test holds the client (a lazy one closes when its
  // last operation completes, and would free its place under the cap behind the test's back).
  return createClient({
    url: wsUrl,
    webSocketImpl: FromAddress,
    connectionParams: { apiKey: key },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
  });
}

/** Starts a subscription; resolves with its first error (or 'open' once the gate counts it), for limit checks. */
function subscribeAndWatch(c: WsClient, query = 'subscription { taskAvailable { taskId } }') {
  const errors: any[] = [];
  const unsubscribe = c.subscribe(
    { query },
    {
      // refused by validation → an error message; refused at subscribe time → a result with errors
      next: (result) => void (result.errors && errors.push(result.errors)),
      // an array of GraphQL errors, or the socket's CloseEvent
      error: (e) =>
        errors.push(Array.isArray(e) ? e : { code: (e as CloseEvent).code, reason: (e as CloseEvent).reason }),
      complete: () => {},
    },
  );
  return { errors, unsubscribe };
}

const rejections = async (limit: string) => sample(await scrape(t.url), 'reyestr_limit_rejections_total', { limit });

describe('frame size', () => {
  it('a connection_init over the body limit closes the socket (1009) before any authentication', async () => {
    const before = await rejections('body');
    const { socket, opened, closed } = rawSocket(address());
    await opened;
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: 'x'.repeat(BODY_LIMIT) } }));
    expect((await closed).code).toBe(1009);
    expect(await rejections('body')).toBe(before + 1);
  });

  it('so does a subscribe over the limit after authentication; frames within it work', async () => {
    const { socket, opened, closed } = rawSocket(address());
    await opened;
    const acked = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: ADMIN_KEY } }));
    expect(JSON.parse(String(await acked))).toEqual({ type: 'connection_ack' });
    const answered = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ stats { tasksTotal } }' } }));
    expect(JSON.parse(String(await answered))).toMatchObject({
      id: '1',
      type: 'next',
      payload: { data: { stats: {} } },
    });
    const query = `{ stats { tasksTotal } } # ${'x'.repeat(BODY_LIMIT)}`;
    socket.send(JSON.stringify({ id: '2', type: 'subscribe', payload: { query } }));
    expect((await closed).code).toBe(1009);
  });
});

describe('connections per address', () => {
  it('the fourth upgrade from one address → HTTP 429 JSON; another address is unaffected; a closed one frees a place', async () => {
    const from = address();
    const sockets = [rawSocket(from), rawSocket(from), rawSocket(from)];
    await Promise.all(sockets.map((s) => s.opened));
    const fourth = rawSocket(from);
    const refused = await fourth.opened.then(
      () => null,
      (error) => error as { status: number; res: NodeJS.ReadableStream },
    );
    expect(refused?.status).toBe(429);
    let body = '';
    for await (const chunk of refused!.res) body += chunk;
    expect(JSON.parse(body)).toEqual({ detail: 'Too many WebSocket connections from this address' });

    const elsewhere = rawSocket(address());
    await elsewhere.opened;
    sockets[0].socket.close();
    await sockets[0].closed;
    await eventually(
      async () => {
        const again = rawSocket(from);
        const ok = await again.opened.then(
          () => true,
          () => false,
        );
        if (ok) again.socket.close();
        return ok;
      },
      10_000,
      'a place freed',
    );
    for (const s of [...sockets, elsewhere]) s.socket.close();
  });
});

describe('connections per API key', () => {
  it('the third socket with one key is closed 4429; another key is unaffected; closing one frees a place', async () => {
    const key = await workerKey('ws-capped');
    const first = client(address(), key);
    const second = client(address(), key);
    await Promise.all([first, second].map((c) => awaitConnected(c)));
    const third = client(address(), key);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      third.on('closed', (e) => resolve({ code: (e as CloseEvent).code, reason: (e as CloseEvent).reason })),
    );
    expect(await closed).toMatchObject({ code: 4429, reason: 'Too many WebSocket connections with this API key' });
    await third.dispose();

    const other = client(address(), await workerKey('ws-other'));
    await awaitConnected(other);
    await first.dispose();
    await eventually(
      async () => {
        const again = client(address(), key);
        const ok = await awaitConnected(again).then(
          () => true,
          () => false,
        );
        await again.dispose();
        return ok;
      },
      10_000,
      'a place freed for the key',
    );
    await Promise.all([second, other].map((c) => c.dispose()));
  });
});

describe('subscriptions per connection and per key', () => {
  it('the fourth subscription on one socket → TOO_MANY_SUBSCRIPTIONS, the socket stays; completing one frees a place', async () => {
    const key = await workerKey('subs-per-connection');
    const c = client(address(), key);
    const subs = [subscribeAndWatch(c), subscribeAndWatch(c), subscribeAndWatch(c)];
    await eventually(async () => (await openSubscriptionGauges(t.url)).ws === 3, 10_000, 'three running');
    const fourth = subscribeAndWatch(c);
    await eventually(() => fourth.errors.length > 0, 10_000, 'the fourth refused');
    expect(fourth.errors[0][0]).toMatchObject({
      message: 'Too many subscriptions on this connection: at most 3 at once; close some first',
      extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 3 },
    });
    expect(subs.every((s) => s.errors.length === 0)).toBe(true);
    subs[0].unsubscribe();
    await eventually(async () => (await openSubscriptionGauges(t.url)).ws === 2, 10_000, 'one completed');
    const again = subscribeAndWatch(c);
    await eventually(async () => (await openSubscriptionGauges(t.url)).ws === 3, 10_000, 'a new one runs');
    expect(again.errors).toEqual([]);
    await c.dispose();
    await eventually(async () => (await openSubscriptionGauges(t.url)).ws === 0, 10_000, 'all released');
  });

  it('the fifth subscription with one key (over two sockets and SSE) → TOO_MANY_SUBSCRIPTIONS', async () => {
    const key = await workerKey('subs-per-key');
    const a = client(address(), key);
    const b = client(address(), key);
    const held = [subscribeAndWatch(a), subscribeAndWatch(a), subscribeAndWatch(b)];
    const sse = new AbortController();
    const stream = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': key },
      body: JSON.stringify({ query: 'subscription { taskAvailable { taskId } }' }),
      signal: sse.signal,
    });
    expect(stream.status).toBe(200);
    await eventually(
      async () => {
        const g = await openSubscriptionGauges(t.url);
        return g.ws === 3 && g.http === 1;
      },
      10_000,
      'four running',
    );
    const fifth = subscribeAndWatch(b);
    await eventually(() => fifth.errors.length > 0, 10_000, 'the fifth refused');
    expect(fifth.errors[0][0].extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 4 });
    const overSse = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query: 'subscription { taskAvailable { taskId } }' }),
    });
    expect(overSse.status).toBe(429);
    expect((await overSse.json()).errors[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    // another key is not affected
    const other = client(address(), await workerKey('subs-other'));
    const fine = subscribeAndWatch(other);

    sse.abort();
    held[0].unsubscribe();
    await eventually(async () => (await openSubscriptionGauges(t.url)).ws === 3, 10_000, 'released');
    const again = subscribeAndWatch(b);
    await eventually(async () => (await openSubscriptionGauges(t.url)).ws === 4, 10_000, 'a new one runs');
    expect([again.errors, fine.errors]).toEqual([[], []]);
    await Promise.all([a, b, other].map((c) => c.dispose()));
    await eventually(
      async () =>
        JSON.stringify(await openSubscriptionGauges(t.url)) === JSON.stringify({ ws: 0, http: 0, sockets: 0 }),
      10_000,
      'gauges back to 0',
    );
  });
});

function awaitConnected(c: WsClient): Promise<void> {
  return new Promise((resolve, reject) => {
    c.on('connected', () => resolve());
    c.on('closed', (e) => reject(new Error(`closed ${(e as { code?: number }).code}`)));
  });
}
