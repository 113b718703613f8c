// npm run bench:gate-ab -- <checkout A> <checkout B> … — an A/B of gates in ONE run, for a box other work shares:
// one gate process per checkout (each run as its own package.json's `npm start` runs it, on a PostgreSQL database of
// its own — with --pglite on a new PGlite data dir of its own), driven in turn by 8 clients, the order alternating
// each round. Per gate and workload it prints the rate and the gate process's own CPU per task (utime + stime of all
// its threads, /proc/<pid>/stat) and PostgreSQL's (all its processes: other databases' work on the box lands there
// too; in brackets, the backends of the gate's own database alone): load inflates a process's CPU per unit of work
// far less than its rate, so this is the number to compare. At the end, per gate: requests per coalesced statement
// and how long those statements took (its /metrics). Prints only.
// A checkout may carry extra variables for its gate after a '|': "../main|MALLOC_ARENA_MAX=2,LOG_LEVEL=info".
// Workloads (BENCH_MODES, comma-separated; default gql,rest):
//   gql    GraphQL claimTask + completeTask          batch  claimTasks(50) + completeTasks(50)
//   rest   POST /api/v1/tasks/request + …/complete   noop   GraphQL `{ __typename }` (the request plumbing alone)
// Env: BENCH_CYCLES (600 per round; ×10 tasks for batch), BENCH_ROUNDS (3), BENCH_DB_PREFIX, BENCH_AB_THREADS=1 (CPU per thread
// group), BENCH_AB_NODE_ARGS_<i> (node options for the i-th gate, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { createPostgresDatabase } from '../test/support/databases.ts';
import {
  analyzeTasks,
  backendCpuMs,
  backendCpuMsSince,
  gateStart,
  machine,
  postgresCpuMs,
  JsonPoster,
  rssMb,
  threadCpuMs,
} from './support.ts';

const CLIENTS = 8;
const CYCLES = Number(process.env.BENCH_CYCLES ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MODES = (process.env.BENCH_MODES ?? 'gql,rest').split(',');
const ADMIN = 'bench-ab-admin-key-0123456789abcdef';
const PGLITE = process.argv.includes('--pglite');

/** A gate's own database: its variables and how to drop it. */
interface GateDatabase {
  env: Record<string, string>;
  /** the PostgreSQL database's name (none on PGlite) */
  name?: string;
  drop(): Promise<void>;
}

async function gateDatabase(): Promise<GateDatabase> {
  if (PGLITE) {
    // an empty folder: the gate makes the data dir (initdb) as a first start does
    const dir = mkdtempSync(join(tmpdir(), 'reyestr-bench-ab-pglite-'));
    return { env: { DATA_DIR: join(dir, 'gate') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const db = await createPostgresDatabase(process.env.BENCH_DB_PREFIX ?? 'reyestr_bench_ab');
  const url = (db.config as { url: string }).url;
  return { env: { DATABASE_URL: url }, name: new URL(url).pathname.slice(1), drop: () => db.drop() };
}
const poster = new JsonPoster(CLIENTS * 2);

interface Gate {
  label: string;
  database: GateDatabase;
  child: ChildProcess;
  url: string;
  keys: string[];
  clientIds: string[];
}

const post = (base: string, path: string, key: string, body: unknown) => poster.post(base, path, key, body);

async function gql(base: string, key: string, query: string, variables: Record<string, unknown> = {}) {
  const r = await post(base, '/graphql', key, { query, variables });
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data;
}

const sum = (ms: Record<string, number>) => Object.values(ms).reduce((a, b) => a + b, 0);

async function startGate(spec: string, i: number, db: GateDatabase): Promise<Gate> {
  const [dirArg, extra = ''] = spec.split('|');
  const dir = resolve(dirArg);
  const start = gateStart(join(dir, 'package.json'));
  const nodeArgs = [...start.nodeArgs, ...(process.env[`BENCH_AB_NODE_ARGS_${i}`] ?? '').split(/\s+/).filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, join(dir, 'bin/reyestr.mjs'), 'serve'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH!,
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      LOG_LEVEL: 'warn',
      ADMIN_API_KEY: ADMIN,
      ...db.env,
      ...start.env,
      ...Object.fromEntries(
        extra
          .split(',')
          .filter(Boolean)
          .map((kv) => kv.split('=') as [string, string]),
      ),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => process.stderr.write(`[gate ${i}] ${d}`));
  const started = Date.now();
  let url: string | undefined;
  while (!(url = /listening on (http:\/\/\S+)/.exec(out)?.[1])) {
    if (child.exitCode !== null || Date.now() - started > (PGLITE ? 600_000 : 180_000))
      throw new Error(`gate ${spec} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // one worker key and client per loop, as deployed workers have
  const keys: string[] = [];
  const clientIds: string[] = [];
  for (let k = 0; k < CLIENTS; k++) {
    keys.push(
      (await gql(url, ADMIN, `mutation { createApiKey(input: { name: "ab-${k}" }) { key } }`)).createApiKey.key,
    );
    const r = await post(url, '/api/v1/clients/register', keys[k], { client_name: `ab-${k}`, client_host: 'bench' });
    clientIds.push(r.body.client_id);
  }
  return { label: spec, database: db, child, url, keys, clientIds };
}

async function seed(url: string, n: number) {
  for (let i = 0; i < n; i += 1000) {
    const tasks = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
      searchParams: { CourtRegion: ['11'] },
      startPage: i + j + 1,
      maxDocuments: 25,
    }));
    await gql(url, ADMIN, 'mutation($t: [NewTaskInput!]!) { createTasks(input: { tasks: $t }) { id } }', { t: tasks });
  }
}

/** One step of a client: how many tasks it finished (0: no work left). */
function stepOf(g: Gate, mode: string, budget: { left: number }): (w: number) => Promise<number> {
  const CLAIM = 'mutation($c: ID!) { claimTask(input: { clientId: $c }) { leaseToken task { id } } }';
  const COMPLETE = 'mutation($i: CompleteTaskInput!) { completeTask(input: $i) { id } }';
  const CLAIM_N = 'mutation($c: ID!) { claimTasks(input: { clientId: $c, limit: 50 }) { leaseToken task { id } } }';
  const COMPLETE_N =
    'mutation($c: [CompleteTaskInput!]!) { completeTasks(input: { completions: $c }) { taskId errorCode } }';
  const completion = (l: { task: { id: string }; leaseToken: string }) => ({
    taskId: l.task.id,
    leaseToken: l.leaseToken,
    documentsDownloaded: 1,
  });
  if (mode === 'noop') return async (w) => (budget.left-- > 0 ? (await gql(g.url, g.keys[w], '{ __typename }'), 1) : 0);
  if (mode === 'gql')
    return async (w) => {
      const { claimTask } = await gql(g.url, g.keys[w], CLAIM, { c: g.clientIds[w] });
      if (!claimTask) return 0;
      await gql(g.url, g.keys[w], COMPLETE, { i: completion(claimTask) });
      return 1;
    };
  if (mode === 'batch')
    return async (w) => {
      const { claimTasks } = await gql(g.url, g.keys[w], CLAIM_N, { c: g.clientIds[w] });
      if (claimTasks.length) await gql(g.url, g.keys[w], COMPLETE_N, { c: claimTasks.map(completion) });
      return claimTasks.length;
    };
  if (mode === 'rest')
    return async (w) => {
      const got = await post(g.url, '/api/v1/tasks/request', g.keys[w], {});
      if (got.status === 404) return 0;
      const done = await post(g.url, '/api/v1/tasks/complete', g.keys[w], {
        task_id: got.body.task_id,
        documents_downloaded: 1,
      });
      if (got.status !== 200 || done.status !== 200) throw new Error(`REST: ${got.status} / ${done.status}`);
      return 1;
    };
  throw new Error(`unknown workload ${mode} (gql, batch, rest, noop)`);
}

/**
 * Requests per statement of the gate's group commit and the statements' mean time in ms (its /metrics, the whole run),
 * where it has them.
 */
async function coalescing(base: string) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (metric: string, series: string, kind: string) =>
    Number(text.match(new RegExp(`^${metric}_${series}\\{kind="${kind}"\\} (\\S+)`, 'm'))?.[1]);
  const mean = (metric: string, kind: string, scale = 1) =>
    ((scale * read(metric, 'sum', kind)) / read(metric, 'count', kind)).toFixed(2);
  const requests = 'reyestr_coalesced_lease_write_requests';
  const seconds = 'reyestr_coalesced_lease_write_seconds';
  if (!text.includes(requests)) return 'none (no group commit in this checkout)';
  const times = text.includes(seconds)
    ? `, taking ${mean(seconds, 'claim', 1000)} / ${mean(seconds, 'completion', 1000)} ms each`
    : '';
  return `${mean(requests, 'claim')} / ${mean(requests, 'completion')} requests per statement${times}`;
}

async function run(g: Gate, mode: string, tasks: number) {
  const budget = { left: tasks };
  if (mode !== 'noop') await seed(g.url, tasks);
  // plans made on the tasks of earlier rounds would scan this round's (support.ts analyzeTasks)
  if (mode !== 'noop' && g.database.env.DATABASE_URL) await analyzeTasks(g.database.env.DATABASE_URL);
  const step = stepOf(g, mode, budget);
  const before = threadCpuMs(g.child.pid!);
  const dbBefore = postgresCpuMs();
  const ownBefore = g.database.name ? backendCpuMs(g.database.name) : new Map<number, number>();
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, w) => {
      let n = 0;
      for (let d: number; (d = await step(w)) > 0; ) n += d;
      return n;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = threadCpuMs(g.child.pid!);
  const dbMs = postgresCpuMs() - dbBefore;
  const ownMs = g.database.name ? backendCpuMsSince(g.database.name, ownBefore) : Number.NaN;
  const n = counts.reduce((a, b) => a + b, 0);
  const perTask = (ms: number) => ms / n;
  const threads = Object.keys(after).map((k) => `${k} ${perTask(after[k] - (before[k] ?? 0)).toFixed(2)}`);
  return {
    n,
    seconds,
    rate: n / seconds,
    cpu: perTask(sum(after) - sum(before)),
    db: perTask(dbMs),
    own: perTask(ownMs),
    threads: threads.join(', '),
  };
}

async function main() {
  const specs = process.argv.slice(2).filter((arg) => arg !== '--pglite');
  if (specs.length === 0) throw new Error('usage: npm run bench:gate-ab -- <checkout> [<checkout>|VAR=value,…] …');
  console.log(
    `${machine()}; ${PGLITE ? 'PGlite' : 'PostgreSQL'}; ${CLIENTS} clients, ${ROUNDS} rounds, workloads ${MODES.join(', ')}`,
  );
  const dbs = await Promise.all(specs.map(() => gateDatabase()));
  const gates: Gate[] = [];
  try {
    for (const [i, spec] of specs.entries()) gates.push(await startGate(spec, i, dbs[i]));
    for (const g of gates) for (const mode of MODES) await run(g, mode, 300); // warm-up: JIT, pools, plans
    const results = new Map<string, { rate: number[]; cpu: number[]; db: number[]; own: number[] }>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of MODES) {
        for (const g of r % 2 === 0 ? gates : [...gates].reverse()) {
          const x = await run(g, mode, mode === 'batch' ? CYCLES * 10 : CYCLES);
          const key = `${mode.padEnd(5)} ${g.label}`;
          if (!results.has(key)) results.set(key, { rate: [], cpu: [], db: [], own: [] });
          results.get(key)!.rate.push(x.rate);
          results.get(key)!.cpu.push(x.cpu);
          results.get(key)!.db.push(x.db);
          results.get(key)!.own.push(x.own);
          const threads = process.env.BENCH_AB_THREADS === '1' ? ` (${x.threads})` : '';
          console.log(
            `round ${r} ${key}: ${x.n} tasks in ${x.seconds.toFixed(2)} s = ${x.rate.toFixed(0)}/s, gate CPU ${x.cpu.toFixed(3)} ms/task${threads}, PostgreSQL ${x.db.toFixed(3)} ms/task (its database ${x.own.toFixed(3)}), load ${loadavg()[0].toFixed(1)}`,
          );
        }
      }
    }
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    console.log(
      "\nworkload, gate: tasks/s per round (mean); gate CPU ms per task per round (mean); PostgreSQL CPU ms per task (mean); the gate database's backends (mean)",
    );
    const rounds = (a: number[], digits: number) =>
      `${a.map((x) => x.toFixed(digits)).join('/')} (${mean(a).toFixed(digits)})`;
    for (const [key, v] of results)
      console.log(`${key}: ${rounds(v.rate, 0)}; ${rounds(v.cpu, 2)}; ${rounds(v.db, 2)}; ${rounds(v.own, 2)}`);
    for (const g of gates) console.log(`gate RSS at the end, ${g.label}: ${rssMb(g.child.pid!).toFixed(0)} MB`);
    for (const g of gates) console.log(`coalesced single claims / completions, ${g.label}: ${await coalescing(g.url)}`);
  } finally {
    for (const g of gates) {
      if (g.child.exitCode !== null) continue;
      const exited = new Promise((r) => g.child.once('exit', r));
      g.child.kill('SIGTERM');
      await exited;
    }
    await poster.close();
    for (const db of dbs) await db.drop();
  }
}

await main();
