// Identical live subscriptions share one execution per event (server/graphql/shared-subscriptions.ts): each
// subscriber still gets every event exactly once and in order, over graphql-ws and SSE alike, a replay (afterSeq)
// stays its own, and one caller never gets what was resolved for another (an admin-only field, a worker key).
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ExecutionResult,
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedSubscriptions, sharedSubscriptionsPlugin } from '../../server/graphql/shared-subscriptions.ts';
import { SHARED_LIVE } from '../../server/schema/shared-live.ts';
import { ADMIN_KEY, collect, startTestGate, type TestGate } from '../support/gate.ts';
import { openSubscriptionGauges } from '../support/metrics.ts';
import { eventually } from '../worker/support.ts';
import * as op from './operations.ts';

/** Reads an SSE subscription's `next` payloads as they come; `stop()` ends the request. */
function sseSubscriber(url: string, query: string, headers: Record<string, string>) {
  const payloads: Array<{ data?: Record<string, unknown> | null; errors?: unknown[] }> = [];
  const controller = new AbortController();
  const reading = (async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    });
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
        const message = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = /^event: next\ndata: (.*)$/m.exec(message)?.[1];
        if (data) payloads.push(JSON.parse(data));
      }
    }
  })().catch((error) => {
    if ((error as Error).name !== 'AbortError') throw error;
  });
  return {
    payloads,
    stop: async () => {
      controller.abort();
      await reading;
    },
  };
}

describe('identical taskEvents subscriptions on a gate (PostgreSQL)', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('postgres');
  });
  afterAll(() => t?.stop());

  const SUBSCRIPTION = `subscription { taskEvents(filter: { types: ["CREATED"] }) { seq taskId type task { id status } } }`;
  const REPLAY = `subscription($after: SafeInt) { taskEvents(afterSeq: $after, filter: { types: ["CREATED"] }) { seq taskId } }`;
  const createTask = async () =>
    (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id as string;

  it('each subscriber gets every event once, in order; the identical ones share one stream, a replay runs its own', async () => {
    const before = await createTask();
    // the query ends at the log's horizon, so the event may show up a call or two after createTask returned
    const beforeSeq: number = await eventually(
      async () =>
        (await t.ok(`query($id: ID) { taskEvents(afterSeq: 0, taskId: $id) { seq } }`, { id: before })).taskEvents[0]
          ?.seq,
      30_000,
      'the first task in the event log',
    );
    // the bus has delivered `before`: the live subscribers below must not see it
    await eventually(() => t.gate.bus.deliveredSeq >= BigInt(beforeSeq), 30_000, 'the first event delivered');
    const TASKS = 6;
    // 4 identical over graphql-ws (each its own socket), 2 identical over SSE, 1 replaying from `before`;
    // each waits for TASKS + 1 events: a repeat would push the last one out, a gap would leave one short
    const sockets = Array.from({ length: 4 }, () => t.ws());
    const ws = sockets.map((s) => collect(s, SUBSCRIPTION, {}, TASKS + 1, 120_000));
    const sse = [0, 1].map(() => sseSubscriber(t.graphqlUrl, SUBSCRIPTION, { 'x-api-key': ADMIN_KEY }));
    const replay = collect(t.ws(), REPLAY, { after: beforeSeq - 1 }, TASKS + 2, 120_000);
    await eventually(
      async () => {
        const open = await openSubscriptionGauges(t.url);
        return open.ws === 5 && open.http === 2;
      },
      60_000,
      'seven subscriptions open',
    );
    // six identical subscriptions and a replay: two bus streams, not seven
    expect(t.gate.bus.openStreams).toBe(2);
    const ids: string[] = [];
    for (let i = 0; i <= TASKS; i++) ids.push(await createTask());

    for (const sub of ws) {
      const events = (await sub.done).map((d) => d.taskEvents);
      expect(events.map((e) => e.taskId)).toEqual(ids);
      expect(events.every((e) => e.type === 'CREATED' && e.task.id === e.taskId && e.task.status)).toBe(true);
      expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    }
    await eventually(() => sse.every((s) => s.payloads.length >= ids.length), 120_000, 'SSE subscribers');
    for (const sub of sse) {
      await sub.stop();
      expect(sub.payloads.map((p) => (p.data as { taskEvents: { taskId: string } }).taskEvents.taskId)).toEqual(ids);
    }
    expect((await replay.done).map((d) => d.taskEvents.taskId)).toEqual([before, ...ids]);
    for (const s of sockets) await s.dispose();
    await eventually(() => t.gate.bus.openStreams === 0, 30_000, 'the shared stream let go with its last member');
  });

  it('an admin and a worker key with the same document run apart', async () => {
    const { key } = (await t.ok(`mutation { createApiKey(input: { name: "shared-w", role: WORKER }) { key } }`))
      .createApiKey;
    const admin = collect(t.ws(), SUBSCRIPTION, {}, 1, 60_000);
    const worker = collect(t.ws(key), SUBSCRIPTION, {}, 1, 60_000);
    await eventually(async () => (await openSubscriptionGauges(t.url)).ws === 2, 60_000, 'two subscriptions open');
    expect(t.gate.bus.openStreams).toBe(2);
    const id = await createTask();
    expect((await admin.done)[0].taskEvents.taskId).toBe(id);
    expect((await worker.done)[0].taskEvents.taskId).toBe(id);
  });
});

describe('shared subscriptions and who may see what', () => {
  // A small schema with an admin-only field: the gate's TaskEvent has none today, the rule must hold for one.
  let events: ((n: number) => void)[] = [];
  /** `<n>:<role>` per resolution of Tick.n: one per execution */
  const executions: string[] = [];
  const Tick = new GraphQLObjectType<{ n: number }, { role: string }>({
    name: 'Tick',
    fields: {
      n: {
        type: new GraphQLNonNull(GraphQLInt),
        resolve: (tick, _a, ctx) => {
          executions.push(`${tick.n}:${ctx.role}`);
          return tick.n;
        },
      },
      secret: {
        type: GraphQLString,
        resolve: (tick, _a, ctx) => {
          if (ctx.role !== 'ADMIN') throw new GraphQLError('admins only', { extensions: { code: 'FORBIDDEN' } });
          return `secret-${tick.n}`;
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt, resolve: () => 1 } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        ticks: {
          type: new GraphQLNonNull(Tick),
          extensions: { [SHARED_LIVE]: true },
          subscribe: async function* () {
            const queue: number[] = [];
            let wake = () => {};
            const push = (n: number) => {
              queue.push(n);
              wake();
            };
            events.push(push);
            try {
              for (;;) {
                while (queue.length) yield { n: queue.shift()! };
                await new Promise<void>((resolve) => (wake = resolve));
              }
            } finally {
              events = events.filter((e) => e !== push);
            }
          },
          resolve: (tick) => tick,
        },
      },
    }),
  });
  const shared = new SharedSubscriptions();
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const yoga = createYoga<{ req: unknown }, { role: string }>({
      schema,
      logging: false,
      maskedErrors: false,
      context: ({ request }) => ({ role: request.headers.get('x-role') ?? 'WORKER' }),
      plugins: [sharedSubscriptionsPlugin(shared, (ctx) => (ctx as { role: string }).role)],
    });
    server = createServer(yoga);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  it('executes each event once per viewer, and a worker never gets the admin-only field', async () => {
    const query = 'subscription { ticks { n secret } }';
    const admins = [0, 1, 2].map(() => sseSubscriber(url, query, { 'x-role': 'ADMIN' }));
    const workers = [0, 1, 2].map(() => sseSubscriber(url, query, { 'x-role': 'WORKER' }));
    const everyone = [...admins, ...workers];
    // a probe each round until every subscriber has one (they have all joined): no clock involved
    let probe = 0;
    await eventually(
      () => {
        if (everyone.every((s) => s.payloads.length > 0)) return true;
        for (const push of events) push(--probe);
        return false;
      },
      60_000,
      'every subscriber listening',
    );
    expect(shared.groupCount).toBe(2);
    expect(events).toHaveLength(2); // one source stream per viewer, not one per subscriber
    for (const n of [1, 2, 3]) for (const push of events) push(n);
    // probes are negative; a late one may still arrive
    const ticks = (s: (typeof everyone)[number]) =>
      s.payloads.filter((p) => ((p.data?.ticks as { n: number })?.n ?? 0) > 0);
    await eventually(() => everyone.every((s) => ticks(s).length >= 3), 60_000, 'three ticks each');
    for (const s of everyone) await s.stop();

    for (const s of admins) {
      expect(ticks(s)).toEqual([1, 2, 3].map((n) => ({ data: { ticks: { n, secret: `secret-${n}` } } })));
    }
    for (const s of workers) {
      expect(ticks(s).map((p) => p.data)).toEqual([1, 2, 3].map((n) => ({ ticks: { n, secret: null } })));
      expect(ticks(s).every((p) => JSON.stringify(p.errors).includes('admins only'))).toBe(true);
      expect(JSON.stringify(s.payloads)).not.toContain('secret-');
    }
    // each event resolved once for the admins and once for the workers: six subscribers, two executions
    expect(executions.filter((e) => !e.startsWith('-')).sort()).toEqual([
      '1:ADMIN',
      '1:WORKER',
      '2:ADMIN',
      '2:WORKER',
      '3:ADMIN',
      '3:WORKER',
    ]);
    await eventually(() => shared.groupCount === 0, 30_000, 'both groups ended with their last members');
  });
});

describe('a group member that takes serialised results (graphql-ws: written straight to its socket)', () => {
  it('gets every result once, in order, as JSON made once per result with errors masked; nothing after it leaves', async () => {
    const results: Array<(r: ExecutionResult) => void> = [];
    const source = (async function* () {
      for (;;) yield await new Promise<ExecutionResult>((r) => results.push(r));
    })();
    let finished = 0;
    const shared = new SharedSubscriptions((result) => {
      finished++;
      return result.errors ? { ...result, errors: [new GraphQLError('Unexpected error.')] } : result;
    });
    const written: string[] = [];
    const direct = (await shared.join('k', () => source, {
      deliver: (result) => {
        expect(result.utf8().toString()).toBe(result.json()); // the same JSON, as the bytes a socket is sent
        written.push(result.json());
      },
    })) as AsyncIterator<unknown>;
    const plain = (await shared.join('k', () => source)) as AsyncIterator<unknown>;
    await eventually(() => results.length === 1, 10_000, 'the group reading its source');
    results.shift()!({ data: { n: 1 } }); // before the direct member is read: kept, written first once it is
    await eventually(() => results.length === 1, 10_000, 'the next read');
    expect(written).toEqual([]);
    const ended = direct.next(); // what graphql-ws does: read; the results go to the socket, next() waits for the end
    expect(written).toEqual(['{"data":{"n":1}}']);
    results.shift()!({ data: { n: 2 } });
    await eventually(() => results.length === 1, 10_000, 'the next read');
    results.shift()!({ errors: [new GraphQLError('database down')] });
    await eventually(() => written.length === 3, 10_000, 'three results written');
    expect(written.slice(1)).toEqual(['{"data":{"n":2}}', '{"errors":[{"message":"Unexpected error."}]}']);
    expect(finished).toBe(3); // once per result, however many direct members
    expect((await plain.next()).value).toEqual({ data: { n: 1 } }); // the iterator member still gets raw results
    await direct.return?.();
    expect(await ended).toEqual({ done: true, value: undefined });
    await eventually(() => results.length === 1, 10_000, 'the next read');
    results.shift()!({ data: { n: 4 } });
    expect((await plain.next()).value).toEqual({ data: { n: 2 } });
    expect(written).toHaveLength(3);
    await plain.return?.();
  });
});
