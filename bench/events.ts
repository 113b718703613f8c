// npm run bench:events — many subscribers on `taskEvents` while tasks are made at a steady rate: latency from
// the mutation that made an event to each subscriber receiving it (p50/p95/p99/max), delivered/expected and
// duplicates, the gate's RSS; one row for graphql-ws (one WebSocket per subscriber) and one for SSE (one
// HTTP stream per subscriber). The gate runs as its own process (`reyestr serve`); subscribers and the producer
// run in this process. Issue 16's goal: 1,000 graphql-ws subscribers at 50 events/s, p95 ≤ 50 ms, none lost.
//   npm run bench:events                 PostgreSQL on 127.0.0.1
//   npm run bench:events -- --pglite     the gate on a PGlite data dir
// Env: BENCH_SUBSCRIBERS (1000), BENCH_EVENTS_PER_SECOND (50), BENCH_SECONDS (20), BENCH_TRANSPORTS (ws,sse),
// BENCH_COMPARE=1 (the rows again on a gate with SHARED_SUBSCRIPTIONS=false, in their own section), BENCH_WRITE=0
// (print only), BENCH_GATE_NODE_ARGS (bench/support.ts: e.g. --cpu-prof), BENCH_DB_LIMIT=0 / BENCH_DB_LIMIT_SECONDS (bench/db-limit.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { dbLimit } from './db-limit.ts';
import { machine, percentile, rssMb, startGateProcess, writeSection } from './support.ts';
import { graphqlData } from '../test/support/graphql-http.ts';

const PGLITE = process.argv.includes('--pglite');
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const RATE = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const TRANSPORTS = (process.env.BENCH_TRANSPORTS ?? 'ws,sse').split(',') as Array<'ws' | 'sse'>;
const COMPARE = process.env.BENCH_COMPARE === '1';
const KEY = 'bench-events-admin-key-0123456789abcdef';
/** How long the last events may take to arrive before the missing ones count as lost. */
const DRAIN_TIMEOUT_MS = 30_000;
const QUERY = 'subscription { taskEvents(filter: { types: ["CREATED"] }) { seq taskId } }';

/** Every subscriber's receipts of one run: latency per (subscriber, event), duplicates, and what has been seen. */
class Receipts {
  readonly latencies: number[] = [];
  delivered = 0;
  duplicates = 0;
  private readonly sentAt = new Map<string, number>();
  /** arrivals of events whose mutation has not answered yet (or probes): taskId → arrival times */
  private readonly early = new Map<string, number[]>();
  private readonly seen: Array<Set<string>>;

  constructor(subscribers: number) {
    this.seen = Array.from({ length: subscribers }, () => new Set());
  }

  receive(subscriber: number, taskId: string) {
    const now = performance.now();
    const seen = this.seen[subscriber];
    if (seen.has(taskId)) {
      this.duplicates++;
      return;
    }
    seen.add(taskId);
    const sent = this.sentAt.get(taskId);
    if (sent === undefined) {
      const list = this.early.get(taskId) ?? [];
      list.push(now);
      this.early.set(taskId, list);
      return;
    }
    this.delivered++;
    this.latencies.push(now - sent);
  }

  /** The mutation that made `taskId` was sent at `at` (an event may have arrived before its answer). */
  sent(taskId: string, at: number) {
    this.sentAt.set(taskId, at);
    for (const arrived of this.early.get(taskId) ?? []) {
      this.delivered++;
      this.latencies.push(arrived - at);
    }
    this.early.delete(taskId);
  }

  has(subscriber: number, taskId: string) {
    return this.seen[subscriber].has(taskId);
  }
}

const graphql = (base: string, query: string, variables: Record<string, unknown> = {}) =>
  graphqlData(base, KEY, query, variables);

const createTask = async (base: string, page: number): Promise<string> =>
  (
    await graphql(base, 'mutation($t: [NewTaskInput!]!) { createTasks(input: { tasks: $t }) { id } }', {
      t: [{ searchParams: { CourtRegion: ['11'] }, startPage: page }],
    })
  ).createTasks[0].id;

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000) {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens `n` subscribers over `transport`; returns a function that closes them. */
async function subscribe(
  base: string,
  transport: 'ws' | 'sse',
  n: number,
  receipts: Receipts,
): Promise<() => Promise<void>> {
  if (transport === 'ws') {
    const clients: WsClient[] = [];
    for (let i = 0; i < n; i++) {
      const client = createClient({
        url: `${base.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { apiKey: KEY },
        retryAttempts: 0,
        lazy: false,
      });
      client.subscribe<{ taskEvents: { taskId: string } }>(
        { query: QUERY },
        {
          next: (r) => r.data && receipts.receive(i, r.data.taskEvents.taskId),
          error: (e) => console.error(`subscriber ${i}:`, e),
          complete: () => {},
        },
      );
      clients.push(client);
    }
    return async () => void (await Promise.all(clients.map((c) => c.dispose())));
  }
  const agent = new Agent({ connections: null, keepAliveTimeout: 1000 });
  const controller = new AbortController();
  for (let i = 0; i < n; i++) {
    void (async () => {
      const res = await undiciFetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': KEY },
        body: JSON.stringify({ query: QUERY }),
        signal: controller.signal,
        dispatcher: agent,
      });
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of res.body!) {
        buffered += decoder.decode(chunk, { stream: true });
        let end = buffered.indexOf('\n\n');
        for (; end !== -1; end = buffered.indexOf('\n\n')) {
          const message = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = /^data: (.*)$/m.exec(message)?.[1];
          const taskId = data ? JSON.parse(data).data?.taskEvents?.taskId : undefined;
          if (taskId) receipts.receive(i, taskId);
        }
      }
    })().catch((e) => {
      if ((e as Error).name !== 'AbortError') console.error(`SSE subscriber ${i}:`, e);
    });
  }
  return async () => {
    controller.abort();
    await agent.close().catch(() => {});
  };
}

async function openSubscriptions(base: string): Promise<number> {
  const res = await fetch(`${base}/metrics`, { headers: { 'x-api-key': KEY } });
  const text = await res.text();
  return [...text.matchAll(/^reyestr_graphql_subscriptions_open\{[^}]*\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

interface Row {
  transport: string;
  events: number;
  receipts: Receipts;
  producedPerSecond: number;
  /** mutations the gate did not answer (it was saturated): their events count as not delivered */
  refused: number;
  gateRss: number;
  /** the gate shared identical subscriptions' executions (SHARED_SUBSCRIPTIONS) */
  shared?: boolean;
}

async function run(base: string, gatePid: number, transport: 'ws' | 'sse'): Promise<Row> {
  const receipts = new Receipts(SUBSCRIBERS);
  const close = await subscribe(base, transport, SUBSCRIBERS, receipts);
  try {
    await waitFor(`${SUBSCRIBERS} subscriptions open`, async () => (await openSubscriptions(base)) >= SUBSCRIBERS);
    // Every stream listens once each has received a probe event (the gauge counts a subscription a moment
    // before its stream listens).
    let probe = await createTask(base, 1);
    await waitFor('every subscriber to receive a probe event', async () => {
      const missing = Array.from({ length: SUBSCRIBERS }, (_, i) => i).filter((i) => !receipts.has(i, probe));
      if (missing.length === 0) return true;
      probe = await createTask(base, 1); // one more: streams that started listening since get this one
      return false;
    });
    const events = Math.round(RATE * SECONDS);
    // Each tick sends its mutation without waiting for the one before (a slow answer must not slow the rate).
    const started = performance.now();
    const made: Array<Promise<void>> = [];
    let refused = 0;
    for (let i = 0; i < events; i++) {
      const wait = started + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const sent = performance.now();
      // A mutation the saturated gate did not take (connect timeout) is counted and shown, not a crash of the bench.
      made.push(
        createTask(base, i + 2).then(
          (id) => receipts.sent(id, sent),
          () => void refused++,
        ),
      );
    }
    await Promise.all(made);
    const producedPerSecond = events / ((performance.now() - started) / 1000);
    const expected = events * SUBSCRIBERS;
    await waitFor('the last events', () => receipts.delivered >= expected, DRAIN_TIMEOUT_MS).catch(() => {});
    return { transport, events, refused, receipts, producedPerSecond, gateRss: rssMb(gatePid) };
  } finally {
    await close();
  }
}

/** One row of the table (markdown). */
function tableRow(r: Row): string {
  const l = r.receipts.latencies.sort((a, b) => a - b);
  const ms = (p: number) => percentile(l, p).toFixed(1);
  const expected = r.events * SUBSCRIBERS;
  const transport =
    (r.transport === 'ws' ? 'graphql-ws, a WebSocket each' : 'SSE, an HTTP stream each') +
    (COMPARE ? (r.shared ? ', shared' : ', **each alone**') : '');
  return `| ${transport} | ${SUBSCRIBERS} | ${r.events} (${r.producedPerSecond.toFixed(1)}/s) | ${ms(50)} | **${ms(95)}** | ${ms(99)} | ${(l.at(-1) ?? 0).toFixed(1)} | ${r.receipts.delivered}/${expected}${r.refused ? ` (${r.refused} mutations not answered)` : ''} | ${r.receipts.duplicates} | ${r.gateRss.toFixed(0)} MB |`;
}

/** Starts a gate on fresh storage, runs every transport against it, stops it and drops the storage. */
async function runOnGate(shared: boolean): Promise<Row[]> {
  const dir = PGLITE ? mkdtempSync(join(tmpdir(), 'reyestr-bench-events-')) : null;
  const pgDb = PGLITE ? null : await createPostgresDatabase('reyestr_bench_events');
  const storageEnv: Record<string, string> = dir
    ? { DATA_DIR: dir }
    : { DATABASE_URL: (pgDb!.config as { url: string }).url };
  // Every subscriber comes from 127.0.0.1 with one key: the per-address and per-key limits (200 and 500
  // WebSockets, 1,000 subscriptions by default) are raised so that they are not what is measured.
  const gate = await startGateProcess({
    ...storageEnv,
    ADMIN_API_KEY: KEY,
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
    WS_MAX_CONNECTIONS_PER_IP: String(SUBSCRIBERS * 2),
    WS_MAX_CONNECTIONS_PER_KEY: String(SUBSCRIBERS * 2),
    MAX_SUBSCRIPTIONS_PER_KEY: String(SUBSCRIBERS * 2),
    SHARED_SUBSCRIPTIONS: String(shared),
  }).catch(async (error) => {
    // a gate that fails to start must not leave its data behind
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pgDb?.drop();
    throw error;
  });
  const rows: Row[] = [];
  try {
    for (const transport of TRANSPORTS) {
      const row = await run(gate.url, gate.child.pid!, transport);
      rows.push({ ...row, shared });
      console.log(tableRow({ ...row, shared })); // at once: a later run that fails must not lose this one
    }
  } finally {
    await gate.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pgDb?.drop();
  }
  return rows;
}

async function main() {
  const limit = dbLimit();
  console.log(limit.line);
  // BENCH_COMPARE=1: the same rows again on a second gate whose subscriptions each run alone (SHARED_SUBSCRIPTIONS=false)
  const rows = [...(await runOnGate(true)), ...(COMPARE ? await runOnGate(false) : [])];
  const table = rows.map(tableRow);
  const report = `Command: \`${COMPARE ? 'BENCH_COMPARE=1 ' : ''}npm run bench:events${PGLITE ? ' -- --pglite' : ''}\` (BENCH_SUBSCRIBERS=${SUBSCRIBERS}, BENCH_EVENTS_PER_SECOND=${RATE}, BENCH_SECONDS=${SECONDS}) — ${new Date().toISOString().slice(0, 10)}, ${machine()}; ${PGLITE ? 'PGlite data dir' : 'PostgreSQL on 127.0.0.1'}; load average at the end ${loadavg()[0].toFixed(2)}.
The database's own limit, same run: ${limit.line}.

The gate runs as its own process; the producer (one \`createTasks\` of one task per tick) and every subscriber
(\`taskEvents(filter: { types: ["CREATED"] })\`, the same document for all: the gate runs one execution per event for them)
run in the bench process. Latency: from just before the mutation is sent to a subscriber receiving the event (each
subscriber, each event). Per-address/per-key WebSocket and subscription limits are raised for the run (all subscribers
share 127.0.0.1 and one key). Goal (graphql-ws, 1,000 subscribers, 50 events/s): p95 ≤ 50 ms, none lost.${
    COMPARE
      ? `
"each alone": a second gate, started after the first one stopped, with \`SHARED_SUBSCRIPTIONS=false\` (every subscription runs its own execution, as before issue 16).`
      : ''
  }

| transport | subscribers | events | p50 ms | p95 ms | p99 ms | max ms | delivered/expected | duplicates | gate RSS after |
|---|---|---|---|---|---|---|---|---|---|
${table.join('\n')}`;
  writeSection(
    `Events to many subscribers${PGLITE ? ' on PGlite' : ''}${COMPARE ? ', shared vs each alone' : ''} (\`npm run bench:events\`)`,
    report,
  );
  console.log(report);
}

await main();
