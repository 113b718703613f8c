// npm run bench:worker-ab -- <checkout A> <checkout B> … — bench:worker's unthrottled run (`--rate 0
// --concurrency 8`) through several checkouts in ONE run, for a box other work shares: each round starts each
// checkout's gate in turn (as its own package.json's `npm start` runs it) on a fresh PostgreSQL database and runs
// that checkout's worker (its bin/reyestr.mjs, the recommended node flags) through the same number of decisions
// from this process's fake registry, the order alternating each round. Prints, per checkout and round, the rate
// and the CPU each process spent per document (/proc: the worker's main thread and its other threads, the gate,
// PostgreSQL, the fake registry) — CPU per document is the comparable number under load — and the worker's peak RSS,
// then the medians.
// Prints only. A checkout may carry the worker's node flags after a '#' (`. '.#--max-semi-space-size=8'`: one
// checkout, two flag sets); without, BENCH_WORKER_NODE_ARGS or the recommended ones. The worker runs in its default
// configuration (no local copy), as bench:worker's goal row does; BENCH_LOCAL_COPY=1 adds `--output-dir`.
// Env: BENCH_DOCUMENTS (800), BENCH_ROUNDS (3), BENCH_WARM_UP_DOCUMENTS (0: decisions each worker downloads first,
// not counted — without, each run's first ~1,000 decisions pay the worker's compilation and optimisation).
import { resolve } from 'node:path';
import { RECOMMENDED_WORKER_NODE_FLAGS } from '../client/worker/options.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { loadNow, machine, median, startGateProcess } from './support.ts';
import { KEY, type RunResult, runWorker, startBenchRegistry } from './worker-run.ts';

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 800);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? RECOMMENDED_WORKER_NODE_FLAGS.join(' '))
  .split(' ')
  .filter(Boolean);
const LOCAL_COPY = process.env.BENCH_LOCAL_COPY === '1';
const WARM_UP = Number(process.env.BENCH_WARM_UP_DOCUMENTS ?? 0);
const checkouts = process.argv.slice(2);
if (checkouts.length < 2) throw new Error('usage: npm run bench:worker-ab -- <checkout A> <checkout B> …');

const other = (r: RunResult) => r.cpuPerDocument.worker - (r.workerThreads.main ?? 0);
const columns: Array<[string, (r: RunResult) => number]> = [
  ['worker', (r) => r.cpuPerDocument.worker],
  ['main', (r) => r.workerThreads.main ?? 0],
  ['other threads', other],
  ['gate', (r) => r.cpuPerDocument.gate],
  ['PostgreSQL', (r) => r.cpuPerDocument.postgres],
  ['fake registry', (r) => r.cpuPerDocument.bench],
];
const peakRss = (r: RunResult) => r.rssMb;
const total = (r: RunResult) => Object.values(r.cpuPerDocument).reduce((a, b) => a + b, 0);

const registry = await startBenchRegistry();
const runs = new Map<string, RunResult[]>(checkouts.map((c) => [c, []]));
console.log(
  `bench:worker-ab — ${DOCUMENTS} documents unthrottled${WARM_UP ? ` after ${WARM_UP} not counted` : ''}, ${LOCAL_COPY ? 'with a local copy' : 'no local copy (the default)'}, ${ROUNDS} rounds; ${machine()}`,
);
console.log(
  `| round | checkout | load | documents/s | ${columns.map(([name]) => name).join(' | ')} | all (ms/doc) | worker peak RSS (MB) |`,
);
console.log(`|---|---|---|---|${columns.map(() => '---|').join('')}---|---|`);
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? checkouts : [...checkouts].reverse();
    for (const checkout of order) {
      const db = await createPostgresDatabase(process.env.BENCH_DB_PREFIX ?? 'reyestr_bench_worker_ab');
      const gate = await startGateProcess(
        { DATABASE_URL: (db.config as { url: string }).url, ADMIN_API_KEY: KEY, RATE_LIMIT_MUTATIONS_PER_MINUTE: '0' },
        180_000,
        resolve(checkout.split('#')[0]),
      );
      try {
        const before = loadNow();
        const [dir, flags] = checkout.split('#');
        const run = await runWorker(
          `${gate.url}/graphql`,
          gate.child.pid!,
          registry,
          DOCUMENTS,
          ['--rate', '0', '--concurrency', '8'],
          {
            nodeArgs: flags === undefined ? NODE_ARGS : flags.split(' ').filter(Boolean),
            checkout: resolve(dir),
            localCopy: LOCAL_COPY,
            warmUpDocuments: WARM_UP,
          },
        );
        runs.get(checkout)!.push(run);
        console.log(
          `| ${round + 1} | ${checkout} | ${before}–${loadNow()} | ${run.perSecond.toFixed(0)} | ${columns.map(([, f]) => f(run).toFixed(2)).join(' | ')} | ${total(run).toFixed(2)} | ${peakRss(run).toFixed(0)} |`,
        );
      } finally {
        await gate.stop();
        await db.drop();
      }
    }
  }
} finally {
  await registry.close();
}
console.log('\nmedians (ms of CPU per document):');
for (const [checkout, rs] of runs)
  console.log(
    `  ${checkout}: ${columns.map(([name, f]) => `${name} ${median(rs.map(f)).toFixed(2)}`).join(', ')}, all ${median(rs.map(total)).toFixed(2)}; ${median(rs.map((r) => r.perSecond)).toFixed(0)} documents/s; worker peak RSS ${Math.max(...rs.map(peakRss)).toFixed(0)} MB`,
  );
process.exit(0);
