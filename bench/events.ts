// npm run bench:events — many subscribers on `taskEvents` while tasks are made at a steady rate: latency from
// the mutation that made an event to each subscriber receiving it (p50/p95/p99/max), delivered/expected and
// duplicates, the gate's RSS; one row for graphql-ws (one WebSocket per subscriber) and one for SSE (one
// HTTP stream per subscriber). The gate runs as its own process (`reyestr serve`); the producer runs in this
// process, the subscribers in a worker thread (bench/events-subscribers.ts). Issue 16's goal: 1,000 graphql-ws subscribers at 50 events/s, p95 ≤ 50 ms, none lost.
//   npm run bench:events                 PostgreSQL on 127.0.0.1
//   npm run bench:events -- --pglite     the gate on a PGlite data dir
// Env: BENCH_SUBSCRIBERS (1000), BENCH_EVENTS_PER_SECOND (50), BENCH_SECONDS (20), BENCH_TRANSPORTS (ws,sse),
// BENCH_COMPARE=1 (the rows again on a gate with SHARED_SUBSCRIPTIONS=false, in their own section), BENCH_COMPARE=direct
// (… with SHARED_SUBSCRIPTIONS_DIRECT=false), BENCH_ROUNDS (A/B pairs, interleaved), BENCH_WRITE=0
// (print only), BENCH_CHECKOUTS=<dir A>,<dir B>… (an A/B of checkouts' gates in one run, print only, BENCH_ROUNDS rounds
// alternating; each row then adds the gate's and the bench's CPU per event), BENCH_DB_PREFIX (the PostgreSQL database's name prefix), BENCH_SUBSCRIBER_THREADS (1), BENCH_GATE_NODE_ARGS (bench/support.ts: e.g. --cpu-prof), BENCH_DB_LIMIT=0 / BENCH_DB_LIMIT_SECONDS (bench/db-limit.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Finished, Request, SubscribersSetup } from './events-subscribers.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { dbLimit } from './db-limit.ts';
import { cpuMs, machine, percentile, rssMb, startGateProcess, writeSection } from './support.ts';
import { graphqlData } from '../test/support/graphql-http.ts';

const PGLITE = process.argv.includes('--pglite');
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const RATE = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const TRANSPORTS = (process.env.BENCH_TRANSPORTS ?? 'ws,sse').split(',') as Array<'ws' | 'sse'>;
/** '1': shared vs each alone; 'direct': shared results written directly vs through graphql-ws per subscriber */
const COMPARE =
  process.env.BENCH_COMPARE === '1' ? 'alone' : process.env.BENCH_COMPARE === 'direct' ? 'pipeline' : null;
/** checkouts whose gates to compare in one run (A/B on a shared box): rows per checkout, rounds alternating */
const CHECKOUTS = (process.env.BENCH_CHECKOUTS ?? '').split(',').filter(Boolean);
/** A/B pairs, interleaved (A B A B …), so both sides see the same load on a shared box */
const ROUNDS = COMPARE || CHECKOUTS.length ? Number(process.env.BENCH_ROUNDS ?? 1) : 1;
/** worker threads the subscribers are split over */
const SUBSCRIBER_THREADS = Number(process.env.BENCH_SUBSCRIBER_THREADS ?? 1);
const KEY = 'bench-events-admin-key-0123456789abcdef';
/** How long the last events may take to arrive before the missing ones count as lost. */
const DRAIN_TIMEOUT_MS = 30_000;
const QUERY = 'subscription { taskEvents(filter: { types: ["CREATED"] }) { seq taskId } }';

/** Some of a run's subscribers, in a worker thread of their own (events-subscribers.ts), and what they received. */
class SubscriberThread {
  private readonly worker: Worker;
  private asks = 0;
  private readonly answers = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(base: string, transport: 'ws' | 'sse', subscribers: number) {
    const setup: SubscribersSetup = { base, transport, subscribers, key: KEY, query: QUERY };
    this.worker = new Worker(new URL('./events-subscribers.mjs', import.meta.url), { workerData: setup });
    this.worker.on('message', ({ ask, value }: { ask: number; value: unknown }) => {
      this.answers.get(ask)?.resolve(value);
      this.answers.delete(ask);
    });
    // a worker that failed or exited answers nothing more: every question still open fails, nothing hangs
    this.worker.on('error', (e) => console.error('subscribers worker:', e));
    this.worker.on('exit', () => {
      this.exited = true;
      for (const [, answer] of this.answers) answer.reject(new Error('the subscribers worker exited'));
      this.answers.clear();
    });
  }

  private exited = false;

  private ask<T>(request: DistributiveOmit<Request, 'ask'>): Promise<T> {
    const ask = ++this.asks;
    if (this.exited) return Promise.reject(new Error('the subscribers worker exited'));
    return new Promise((resolve, reject) => {
      this.answers.set(ask, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...request, ask });
    });
  }

  /** The mutation that made `taskId` was sent at `at` (epoch ms; an event may arrive before its answer). */
  sent(taskId: string, at: number) {
    this.worker.postMessage({ type: 'sent', taskId, at } satisfies Request);
  }

  missing = (taskId: string) => this.ask<number>({ type: 'missing', taskId });
  delivered = () => this.ask<number>({ type: 'delivered' });

  /** Closes every subscriber; their receipts. */
  async finish(): Promise<Finished> {
    const finished = await this.ask<Finished>({ type: 'finish' });
    await this.worker.terminate();
    return finished;
  }
}

/**
 * The subscribers of one run, split over SUBSCRIBER_THREADS threads (one thread reads its sockets one after
 * another: with 1,000 in one, the last one's latency holds the reading of the 999 before it).
 */
class Subscribers {
  private readonly threads: SubscriberThread[];

  constructor(base: string, transport: 'ws' | 'sse') {
    this.threads = Array.from(
      { length: SUBSCRIBER_THREADS },
      (_, t) =>
        new SubscriberThread(
          base,
          transport,
          Math.floor(((t + 1) * SUBSCRIBERS) / SUBSCRIBER_THREADS) - Math.floor((t * SUBSCRIBERS) / SUBSCRIBER_THREADS),
        ),
    );
  }

  sent(taskId: string, at: number) {
    for (const thread of this.threads) thread.sent(taskId, at);
  }

  private async sum(ask: (thread: SubscriberThread) => Promise<number>) {
    return (await Promise.all(this.threads.map(ask))).reduce((a, b) => a + b, 0);
  }

  missing = (taskId: string) => this.sum((thread) => thread.missing(taskId));
  delivered = () => this.sum((thread) => thread.delivered());

  /** Closes every subscriber; their receipts, merged (an event's first arrival in any thread, its last in any). */
  async finish(): Promise<Finished> {
    const all = await Promise.all(this.threads.map((thread) => thread.finish()));
    if (all.length === 1) return all[0];
    const arrivals = new Map<string, [string, number, number]>();
    for (const { arrivals: some } of all)
      for (const [taskId, first, last] of some) {
        const known = arrivals.get(taskId);
        if (!known) arrivals.set(taskId, [taskId, first, last]);
        else arrivals.set(taskId, [taskId, Math.min(known[1], first), Math.max(known[2], last)]);
      }
    const latencies = new Float64Array(all.reduce((n, f) => n + f.latencies.length, 0));
    let offset = 0;
    for (const f of all) {
      latencies.set(f.latencies, offset);
      offset += f.latencies.length;
    }
    return {
      latencies,
      arrivals: [...arrivals.values()],
      delivered: all.reduce((n, f) => n + f.delivered, 0),
      duplicates: all.reduce((n, f) => n + f.duplicates, 0),
    };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
const now = () => performance.timeOrigin + performance.now();

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
  receipts: Finished;
  producedPerSecond: number;
  /** mutations the gate did not answer (it was saturated): their events count as not delivered */
  refused: number;
  gateRss: number;
  /** CPU ms per event from the first tick until every event arrived: the gate process, this bench process (the
   * producer and the subscribers' thread) */
  gateCpuPerEvent: number;
  benchCpuPerEvent: number;
  gate: Gate;
  checkout?: string;
}

/**
 * How the gate ran: 'shared' as configured by default; 'alone' with SHARED_SUBSCRIPTIONS=false (every subscription
 * its own execution); 'pipeline' with SHARED_SUBSCRIPTIONS_DIRECT=false (shared, but each result goes through
 * Yoga's and graphql-ws's per-subscriber layers instead of being written to the sockets serialised once).
 */
type Gate = 'shared' | 'alone' | 'pipeline';
const GATE_ENV: Record<Gate, Record<string, string>> = {
  shared: {},
  alone: { SHARED_SUBSCRIPTIONS: 'false' },
  pipeline: { SHARED_SUBSCRIPTIONS_DIRECT: 'false' },
};
const GATE_LABEL: Record<Gate, string> = {
  shared: COMPARE === 'pipeline' ? ', shared, written directly' : ', shared',
  alone: ', **each alone**',
  pipeline: ', shared, **through graphql-ws per subscriber**',
};

async function run(base: string, gatePid: number, transport: 'ws' | 'sse'): Promise<Omit<Row, 'gate' | 'checkout'>> {
  const subscribers = new Subscribers(base, transport);
  let finished: Finished | undefined;
  try {
    await waitFor(`${SUBSCRIBERS} subscriptions open`, async () => (await openSubscriptions(base)) >= SUBSCRIBERS);
    // Every stream listens once each has received a probe event (the gauge counts a subscription a moment
    // before its stream listens).
    let probe = await createTask(base, 1);
    await waitFor('every subscriber to receive a probe event', async () => {
      if ((await subscribers.missing(probe)) === 0) return true;
      probe = await createTask(base, 1); // one more: streams that started listening since get this one
      return false;
    });
    const events = Math.round(RATE * SECONDS);
    const gateCpuBefore = cpuMs(gatePid);
    const benchCpuBefore = process.cpuUsage();
    // Each tick sends its mutation without waiting for the one before (a slow answer must not slow the rate).
    const started = performance.now();
    const made: Array<Promise<void>> = [];
    let refused = 0;
    for (let i = 0; i < events; i++) {
      const wait = started + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const sent = now();
      // A mutation the saturated gate did not take (connect timeout) is counted and shown, not a crash of the bench.
      made.push(
        createTask(base, i + 2).then(
          (id) => subscribers.sent(id, sent),
          () => void refused++,
        ),
      );
    }
    await Promise.all(made);
    const producedPerSecond = events / ((performance.now() - started) / 1000);
    const expected = events * SUBSCRIBERS;
    await waitFor('the last events', async () => (await subscribers.delivered()) >= expected, DRAIN_TIMEOUT_MS).catch(
      () => {},
    );
    const gateCpuPerEvent = (cpuMs(gatePid) - gateCpuBefore) / events;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const benchCpuPerEvent = (benchCpu.user + benchCpu.system) / 1000 / events;
    const gateRss = rssMb(gatePid);
    finished = await subscribers.finish();
    return {
      transport,
      events,
      refused,
      receipts: finished,
      producedPerSecond,
      gateRss,
      gateCpuPerEvent,
      benchCpuPerEvent,
    };
  } finally {
    if (!finished) await subscribers.finish().catch(() => {});
  }
}

/** One row of the table (markdown). */
function tableRow(r: Row): string {
  const l = Array.from(r.receipts.latencies.sort());
  const ms = (p: number) => percentile(l, p).toFixed(1);
  const expected = r.events * SUBSCRIBERS;
  const transport =
    (r.transport === 'ws' ? 'graphql-ws, a WebSocket each' : 'SSE, an HTTP stream each') +
    (COMPARE ? GATE_LABEL[r.gate] : '') +
    (r.checkout ? `, ${r.checkout}` : '');
  const row = `| ${transport} | ${SUBSCRIBERS} | ${r.events} (${r.producedPerSecond.toFixed(1)}/s) | ${ms(50)} | **${ms(95)}** | ${ms(99)} | ${(l.at(-1) ?? 0).toFixed(1)} | ${r.receipts.delivered}/${expected}${r.refused ? ` (${r.refused} mutations not answered)` : ''} | ${r.receipts.duplicates} | ${r.gateRss.toFixed(0)} MB |`;
  if (!CHECKOUTS.length) return row;
  // A/B: where an event's time goes (the path to its first socket, then the fan-out) and the CPU it costs
  const p = (values: Float64Array, q: number) => percentile(Array.from(values.sort()), q).toFixed(1);
  const firsts = Float64Array.from(r.receipts.arrivals, ([, first]) => first);
  const spreads = Float64Array.from(r.receipts.arrivals, ([, first, last]) => last - first);
  return `${row} ${p(firsts, 50)} / ${p(firsts, 95)} | ${p(spreads, 50)} / ${p(spreads, 95)} | ${r.gateCpuPerEvent.toFixed(1)} | ${r.benchCpuPerEvent.toFixed(1)} |`;
}

/** Starts a gate on fresh storage, runs every transport against it, stops it and drops the storage. */
async function runOnGate(variant: Gate, checkout?: string): Promise<Row[]> {
  const dir = PGLITE ? mkdtempSync(join(tmpdir(), 'reyestr-bench-events-')) : null;
  const pgDb = PGLITE ? null : await createPostgresDatabase(process.env.BENCH_DB_PREFIX ?? 'reyestr_bench_events');
  const storageEnv: Record<string, string> = dir
    ? { DATA_DIR: dir }
    : { DATABASE_URL: (pgDb!.config as { url: string }).url };
  // Every subscriber comes from 127.0.0.1 with one key: the per-address and per-key limits (200 and 500
  // WebSockets, 1,000 subscriptions by default) are raised so that they are not what is measured.
  const gate = await startGateProcess(
    {
      ...storageEnv,
      ADMIN_API_KEY: KEY,
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
      WS_MAX_CONNECTIONS_PER_IP: String(SUBSCRIBERS * 2),
      WS_MAX_CONNECTIONS_PER_KEY: String(SUBSCRIBERS * 2),
      MAX_SUBSCRIPTIONS_PER_KEY: String(SUBSCRIBERS * 2),
      ...GATE_ENV[variant],
    },
    undefined,
    checkout,
  ).catch(async (error) => {
    // a gate that fails to start must not leave its data behind
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pgDb?.drop();
    throw error;
  });
  const rows: Row[] = [];
  try {
    for (const transport of TRANSPORTS) {
      const row = { ...(await run(gate.url, gate.child.pid!, transport)), gate: variant, checkout };
      rows.push(row);
      console.log(tableRow(row), `load ${loadavg()[0].toFixed(2)}`); // at once: a later run that fails must not lose this one
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
  // BENCH_COMPARE: the same rows again on a second gate run another way (GATE_ENV), BENCH_ROUNDS pairs interleaved
  const rows: Row[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (CHECKOUTS.length) {
      // the order alternates each round, so neither side always runs first
      for (const checkout of round % 2 ? [...CHECKOUTS].reverse() : CHECKOUTS)
        rows.push(...(await runOnGate('shared', checkout)));
      continue;
    }
    rows.push(...(await runOnGate('shared')));
    if (COMPARE) rows.push(...(await runOnGate(COMPARE)));
  }
  const table = rows.map(tableRow);
  const compare = COMPARE
    ? `BENCH_COMPARE=${process.env.BENCH_COMPARE} ${ROUNDS > 1 ? `BENCH_ROUNDS=${ROUNDS} ` : ''}`
    : '';
  const report = `Command: \`${compare}npm run bench:events${PGLITE ? ' -- --pglite' : ''}\` (BENCH_SUBSCRIBERS=${SUBSCRIBERS}, BENCH_EVENTS_PER_SECOND=${RATE}, BENCH_SECONDS=${SECONDS}) — ${new Date().toISOString().slice(0, 10)}, ${machine()}; ${PGLITE ? 'PGlite data dir' : 'PostgreSQL on 127.0.0.1'}; load average at the end ${loadavg()[0].toFixed(2)}.
The database's own limit, same run: ${limit.line}.

The gate runs as its own process; the producer (one \`createTasks\` of one task per tick) runs in the bench process,
every subscriber (\`taskEvents(filter: { types: ["CREATED"] })\`, the same document for all: the gate runs one execution
per event for them) in ${SUBSCRIBER_THREADS > 1 ? `${SUBSCRIBER_THREADS} worker threads` : 'a worker thread'} of it, as a lean client (bench/events-subscribers.ts: graphql-ws's protocol
by hand, each message read only as far as its taskId). Latency: from just before the mutation is sent to a
subscriber receiving the event (each subscriber, each event). Per-address/per-key WebSocket and subscription limits are raised for the run (all subscribers
share 127.0.0.1 and one key). Goal (graphql-ws, 1,000 subscribers, 50 events/s): p95 ≤ 50 ms, none lost.${
    COMPARE === 'alone'
      ? `
"each alone": a second gate, started after the first one stopped, with \`SHARED_SUBSCRIPTIONS=false\` (every subscription runs its own execution, as before issue 16).`
      : COMPARE === 'pipeline'
        ? `
"through graphql-ws per subscriber": a second gate, started after the first one stopped, with \`SHARED_SUBSCRIPTIONS_DIRECT=false\` (one execution per event, but each subscriber's result goes through Yoga's and graphql-ws's layers and is serialised per subscriber, as before). Gates alternate, ${ROUNDS} pair(s).`
        : ''
  }

| transport | subscribers | events | p50 ms | p95 ms | p99 ms | max ms | delivered/expected | duplicates | gate RSS after |${CHECKOUTS.length ? ' first arrival p50 / p95 ms | fan-out (last − first) p50 / p95 ms | gate CPU ms/event | bench CPU ms/event |' : ''}
|---|---|---|---|---|---|---|---|---|---|${CHECKOUTS.length ? '---|---|---|---|' : ''}
${table.join('\n')}`;
  // an A/B of checkouts is read within its run on a shared box: printed only, never over the solo tables
  if (!CHECKOUTS.length)
    writeSection(
      `Events to many subscribers${PGLITE ? ' on PGlite' : ''}${COMPARE === 'alone' ? ', shared vs each alone' : COMPARE ? ', direct writes vs per subscriber' : ''} (\`npm run bench:events\`)`,
      report,
    );
  console.log(report);
}

await main();
