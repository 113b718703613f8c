// npm run bench:rest — the older clients' loop through REST (POST /api/v1/tasks/request, then
// POST /api/v1/tasks/complete) with 8 concurrent clients over 5,000 tasks: cycles/s, p50/p99 of each call,
// duplicates and lost tasks, the gate's RSS after the run; against the gate's own single claim and completion
// (server/services/lease-batches.ts: its statements, coalesced as the gate runs them) run directly on a second
// database in the same run, and the database's own limit
// (../shared/bench/db-limit.sh, bench/db-limit.ts). The gate runs as its own process with its default limits.
//   npm run bench:rest                 PostgreSQL on 127.0.0.1 (test/support/databases.ts)
//   npm run bench:rest -- --pglite     the embedded default: the gate on a PGlite data dir of its own, the
//                                      baseline on another PGlite data dir in the bench process
// Env: BENCH_TASKS (5000), BENCH_WRITE=0 (print only), BENCH_DB_LIMIT=0 / BENCH_DB_LIMIT_SECONDS (bench/db-limit.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConfig } from '../server/config.ts';
import { closeDatabase, openDatabase, prisma } from '../server/db/database.ts';
import { applyMigrations } from '../server/db/migrate.ts';
import { claimOneTask, completeOneTask } from '../server/services/lease-batches.ts';
import { insertTasks } from '../server/db/sql/insert-tasks.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { dbLimit, ofLimit } from './db-limit.ts';
import {
  analyzeTasks,
  downloadTaskRows,
  gateTuning,
  machine,
  peakRssMb,
  percentile,
  JsonPoster,
  rawCompletionOf,
  rssMb,
  startGateProcess,
  writeSection,
} from './support.ts';
import { graphqlData } from '../test/support/graphql-http.ts';

const PGLITE = process.argv.includes('--pglite');
const CLIENTS = 8;
const WARM_UP_CYCLES = 2000;
const TASKS = Number(process.env.BENCH_TASKS ?? 5000);
const ADMIN_KEY = 'bench-rest-admin-key-0123456789abcdef';
const poster = new JsonPoster(CLIENTS * 2);

interface Run {
  label: string;
  cycles: number;
  seconds: number;
  /** per call name: latencies in ms */
  latencies: Record<string, number[]>;
  duplicates: number;
  lost: number;
  errors: number;
}

const call = (base: string, path: string, key: string, body: unknown) => poster.post(base, path, key, body);

async function timedCall<T>(into: number[], fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  into.push(performance.now() - started);
  return result;
}

/** Runs `CLIENTS` loops until each finds no work; counts every task id handed out to spot duplicates. */
async function runLoops(
  label: string,
  cycle: (client: number, latencies: Record<string, number[]>) => Promise<string | null>,
): Promise<Run> {
  const latencies: Record<string, number[]> = {};
  const handedOut = new Map<string, number>();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (;;) {
        const taskId = await cycle(client, latencies);
        if (!taskId) return;
        handedOut.set(taskId, (handedOut.get(taskId) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const duplicates = [...handedOut.values()].reduce((n, c) => n + c - 1, 0);
  for (const list of Object.values(latencies)) list.sort((a, b) => a - b);
  return { label, cycles: handedOut.size, seconds, latencies, duplicates, lost: 0, errors: 0 };
}

async function restRun(base: string, keys: string[], label: string): Promise<Run> {
  let errors = 0;
  const run = await runLoops(label, async (client, latencies) => {
    const key = keys[client];
    const got = await timedCall((latencies['POST /api/v1/tasks/request'] ??= []), () =>
      call(base, '/api/v1/tasks/request', key, {}),
    );
    if (got.status === 404) return null;
    if (got.status !== 200) throw new Error(`request: ${got.status} ${JSON.stringify(got.body)}`);
    const done = await timedCall((latencies['POST /api/v1/tasks/complete'] ??= []), () =>
      call(base, '/api/v1/tasks/complete', key, { task_id: got.body.task_id, documents_downloaded: 1 }),
    );
    if (done.status !== 200) errors++;
    return got.body.task_id as string;
  });
  return { ...run, errors };
}

async function rawRun(clientIds: string[]): Promise<Run> {
  return runLoops("raw SQL (the gate's claim + completion statements)", async (client, latencies) => {
    const lease = await timedCall((latencies.claim ??= []), () =>
      claimOneTask({ clientId: clientIds[client], ownerKeyId: null }, 60),
    );
    if (!lease) return null;
    await timedCall((latencies.complete ??= []), () => completeOneTask(rawCompletionOf(lease)));
    return lease.id;
  });
}

const graphql = (base: string, query: string, variables: Record<string, unknown> = {}) =>
  graphqlData(base, ADMIN_KEY, query, variables);

/** Tasks through the gate's own API (works on both storages: nothing else may open a PGlite data dir). */
async function seedThroughGate(base: string, n: number) {
  for (let i = 0; i < n; i += 1000) {
    const tasks = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
      searchParams: { CourtRegion: ['11'] },
      startPage: i + j + 1,
      maxDocuments: 25,
    }));
    await graphql(base, 'mutation($t: [NewTaskInput!]!) { createTasks(input: { tasks: $t }) { id } }', { t: tasks });
  }
}

async function notCompleted(base: string, key: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/tasks/status`, { headers: { 'x-api-key': key } });
  const counts = (await res.json()) as { total_tasks: number; completed: number };
  return counts.total_tasks - counts.completed;
}

async function seedDirectly(n: number) {
  for (let i = 0; i < n; i += 1000) {
    await insertTasks(downloadTaskRows(Math.min(1000, n - i), i + 1));
  }
}

/** Two databases of the storage under test: one for the gate process, one for the in-process baseline. */
async function databases(): Promise<{ gateEnv: Record<string, string>; raw: DatabaseConfig; drop(): Promise<void> }> {
  if (PGLITE) {
    const dir = mkdtempSync(join(tmpdir(), 'reyestr-bench-rest-pglite-'));
    return {
      gateEnv: { DATA_DIR: join(dir, 'gate') },
      raw: { kind: 'pglite', dataDir: join(dir, 'raw') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const gateDb = await createPostgresDatabase('reyestr_bench_rest');
  const rawDb = await createPostgresDatabase('reyestr_bench_raw');
  return {
    gateEnv: { DATABASE_URL: (gateDb.config as { url: string }).url },
    raw: rawDb.config,
    drop: async () => {
      await gateDb.drop();
      await rawDb.drop();
    },
  };
}

async function main() {
  // The database's own ceiling (PostgreSQL, pgbench) first, before the gate and its pools exist, same run.
  const limit = dbLimit();
  console.log(limit.line);
  const dbs = await databases();
  // A gate that fails to start must not leave its databases behind.
  const gate = await startGateProcess({ ...dbs.gateEnv, ADMIN_API_KEY: ADMIN_KEY }).catch(async (error) => {
    await dbs.drop();
    throw error;
  });
  try {
    // One worker key and REST client per loop, as deployed workers have.
    const keys: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      keys.push(
        (await graphql(gate.url, `mutation { createApiKey(input: { name: "bench-${i}" }) { key } }`)).createApiKey.key,
      );
      await call(gate.url, '/api/v1/clients/register', keys[i], {
        client_name: `bench-rest-${i}`,
        client_host: 'localhost',
      });
    }
    // Warm-up (JIT, pools, plans); its tasks are all completed before the measured ones are made. 2,000 cycles: a
    // gate just started spends up to twice the CPU per request of a warm one for its first ~2,000-2,500 requests
    // (session 14), and a deployed gate runs warm.
    await seedThroughGate(gate.url, WARM_UP_CYCLES);
    await restRun(gate.url, keys, 'warm-up');

    await openDatabase(dbs.raw).then(applyMigrations);
    const clientIds = (
      await Promise.all(Array.from({ length: CLIENTS }, (_, i) => prisma.client.create({ data: { name: `raw-${i}` } })))
    ).map((c) => c.id);
    await seedDirectly(TASKS);
    const raw = await rawRun(clientIds);
    raw.lost = await prisma.task.count({ where: { status: { not: 'COMPLETED' } } });
    await closeDatabase(); // a PGlite baseline holds its WASM memory in this process: let it go before the REST run

    await seedThroughGate(gate.url, TASKS);
    // the warm-up's plans were made on fewer tasks (support.ts analyzeTasks; on PGlite the gate's own vacuum pass analyzes
    // the tables a minute after its start, likely mid-run: left as it is, as a new gate runs)
    if (dbs.gateEnv.DATABASE_URL) await analyzeTasks(dbs.gateEnv.DATABASE_URL);
    const rest = await restRun(
      gate.url,
      keys,
      `REST request + complete (gate process, ${PGLITE ? 'PGlite' : 'PostgreSQL'})`,
    );
    rest.lost = await notCompleted(gate.url, keys[0]);
    const gateRss = rssMb(gate.child.pid!);
    const gatePeak = peakRssMb(gate.child.pid!);

    const row = (r: Run, goal: string) => {
      const calls = Object.entries(r.latencies)
        .map(([name, l]) => `${name} p50 ${percentile(l, 50).toFixed(2)} / p99 ${percentile(l, 99).toFixed(2)}`)
        .join('<br>');
      const rate = r.cycles / r.seconds;
      return `| ${r.label} | ${r.cycles} | ${r.seconds.toFixed(2)} | **${rate.toFixed(0)}** | ${ofLimit(rate, limit.single)}${goal} | ${calls} | ${r.duplicates} | ${r.lost} | ${r.errors} |`;
    };
    const ratio = rest.cycles / rest.seconds / (raw.cycles / raw.seconds);
    const storage = PGLITE
      ? 'PGlite: the gate on a data dir of its own (`DATA_DIR`), the baseline on another PGlite data dir in the bench process'
      : 'PostgreSQL 15 on 127.0.0.1; the baseline on a second database of the same server';
    const report = `Command: \`npm run bench:rest${PGLITE ? ' -- --pglite' : ''}\` (BENCH_TASKS=${TASKS}) — ${new Date().toISOString().slice(0, 10)}; machine: \`nproc\` ${availableParallelism()}, ${machine()}; ${storage}; load average at the end ${loadavg()[0].toFixed(2)} (other work shares this machine: compare the rows of one run, not runs).
The database's own limit, same run (PostgreSQL on 127.0.0.1, whatever the gate's storage): ${limit.line}.

${CLIENTS} concurrent clients, ${TASKS} tasks; a cycle is \`POST /api/v1/tasks/request\` + \`POST /api/v1/tasks/complete\` (no lease token sent: the
gate finds the caller's lease). The gate runs as its own process (\`reyestr serve\`) with auth on and its **default limits**
(one worker key per client, so the per-key mutation limit of 30,000/min is not reached); keep-alive HTTP/1.1 from the bench.
The baseline runs the gate's own statements from the bench process, in the same run, as the gate runs them: a single
claim and a completion (each with its event rows), those of the 8 clients that arrive together sharing one statement
(server/services/lease-batches.ts, the gate's group commit; bench:claim also shows them one statement per call).

| mode | cycles | seconds | cycles/s | of db-limit | latency per call, ms | duplicates | lost | errors |
|---|---|---|---|---|---|---|---|---|
${row(raw, PGLITE ? '' : ' (goal ≥ 80%)')}
${row(rest, PGLITE ? '' : ' (goal ≥ 50%)')}

REST reaches **${(ratio * 100).toFixed(0)}%** of the raw-SQL rate. Gate RSS after the run: **${gateRss.toFixed(0)} MB** (goal ≤ ${PGLITE ? 350 : 200} MB), peak ${gatePeak.toFixed(0)} MB${gateTuning()}.
"lost" counts tasks not completed at the end. Per REST cycle the gate does more than the two statements: key lookup and the
caller's client (both cached for 5 s), the lease-holder check that finds the token for clients that do not send one, and one request log line each.`;
    writeSection(PGLITE ? 'REST request→complete on PGlite' : 'REST request→complete', report);
    console.log(report);
  } finally {
    await poster.close();
    await gate.stop();
    await closeDatabase();
    await dbs.drop();
  }
}

await main();
