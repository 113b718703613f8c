/**
 * `npm run bench:worker`: documents/s end to end — a gate (its own process, PostgreSQL), the fake registry
 * (this process) and one `reyestr worker` (its own process) — at a fixed rate budget (target ≥ 95% of the
 * budget) and unthrottled with `--concurrency 8` in the worker's default configuration, no local copy (target ≥ 50%
 * of the registry-only rate, measured in the same run as bench:registry does: `session.fetchDecision`, politeness
 * off, 8 in flight), then the same with `--output-dir` (what a local copy costs); and the worker's
 * peak RSS (VmHWM, target ≤ 150 MB). Writes its own section of docs/benchmarks.md.
 */
import { cpus, loadavg } from 'node:os';
import { RECOMMENDED_WORKER_NODE_FLAGS as RECOMMENDED_WORKER_NODE_ARGS } from '../client/worker/options.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { machine, startGateProcess, writeSection } from './support.ts';
import { KEY, registryOnly, runWorker, startBenchRegistry, TASK_SIZE } from './worker-run.ts';

const BUDGET = Number(process.env.BENCH_BUDGET ?? 20);
const BUDGET_DOCUMENTS = Number(process.env.BENCH_BUDGET_DOCUMENTS ?? 300);
const FAST_DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 1500);
/**
 * Node flags for the worker process: by default the ones README and deploy/reyestr-worker.service recommend
 * (a bounded heap: V8 otherwise lets a busy worker's heap grow far past what it keeps alive). Override, e.g.
 * BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof", or BENCH_WORKER_NODE_ARGS="" for none.
 */
export const RECOMMENDED_WORKER_NODE_FLAGS = RECOMMENDED_WORKER_NODE_ARGS.join(' ');
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? RECOMMENDED_WORKER_NODE_FLAGS)
  .split(' ')
  .filter(Boolean);
/**
 * Decisions the worker downloads before the unthrottled runs' counted ones (default 1,000). The registry-only row
 * measures the library after a warm-up pass of as many decisions, and a deployed worker runs for hours, so the goal
 * row compares steady states, as bench:corpus does; a fresh worker's first ~1,000 decisions cost it 0.6–1.3 ms more
 * each (JIT), which the "fresh worker" row shows (docs/benchmarks.md, issue 16 session 10).
 */
const WARM_UP_DOCUMENTS = Number(process.env.BENCH_WARM_UP_DOCUMENTS ?? 1000);
/** More flags for the unthrottled run, e.g. BENCH_FAST_ARGS="--tasks 2". */
const FAST_EXTRA_ARGS = (process.env.BENCH_FAST_ARGS ?? '').split(' ').filter(Boolean);
/** BENCH_WRITE=0: print the results without updating docs/benchmarks.md. */
const WRITE = process.env.BENCH_WRITE !== '0';

async function main() {
  const db = await createPostgresDatabase(process.env.BENCH_DB_PREFIX ?? 'reyestr_bench');
  const registry = await startBenchRegistry();
  const gate = await startGateProcess({
    DATABASE_URL: (db.config as { url: string }).url,
    ADMIN_API_KEY: KEY,
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
  });
  try {
    const url = `${gate.url}/graphql`;
    const budgeted = await runWorker(
      url,
      gate.child.pid!,
      registry,
      BUDGET_DOCUMENTS,
      ['--rate', String(BUDGET), '--concurrency', '4', '--tasks', '2'],
      { nodeArgs: WORKER_NODE_ARGS },
    );
    const unthrottled = (localCopy: boolean, warmUpDocuments = WARM_UP_DOCUMENTS) =>
      runWorker(
        url,
        gate.child.pid!,
        registry,
        FAST_DOCUMENTS,
        ['--rate', '0', '--concurrency', '8', ...FAST_EXTRA_ARGS],
        {
          nodeArgs: WORKER_NODE_ARGS,
          localCopy,
          warmUpDocuments,
        },
      );
    const fast = await unthrottled(false);
    // The same from a fresh worker (no warm-up): what the first minutes of a worker's life look like.
    const fresh = WARM_UP_DOCUMENTS ? await unthrottled(false, 0) : fast;
    // The same load with a local copy (`--output-dir`): not the goal row, shown for what the copy costs.
    const fastCopy = await unthrottled(true);
    const library = await registryOnly(registry, Math.min(FAST_DOCUMENTS, 1000));

    const budgetRatio = budgeted.requestsPerSecond / BUDGET;
    const libraryRate = library.perSecond;
    const fastRatio = fast.perSecond / libraryRate;
    const cpu = fast.cpuPerDocument;
    const cpuTotal = cpu.worker + cpu.gate + cpu.postgres + cpu.bench;
    const copyCpu = fastCopy.cpuPerDocument;
    const rss = Math.max(budgeted.rssMb, fast.rssMb, fresh.rssMb, fastCopy.rssMb);
    const fastFlags = `--rate 0 --concurrency 8${FAST_EXTRA_ARGS.length ? ` ${FAST_EXTRA_ARGS.join(' ')}` : ''}`;
    const mark = (ok: boolean) => (ok ? '✓' : '✗');
    const warmNote = WARM_UP_DOCUMENTS ? `; after ${WARM_UP_DOCUMENTS} decisions not counted` : '';
    const body = `Command: \`npm run bench:worker\` — ${new Date().toISOString().slice(0, 10)}, ${machine()}, PostgreSQL on 127.0.0.1; load average at the end ${loadavg()[0].toFixed(2)}.
One \`reyestr worker\` process (\`node ${WORKER_NODE_ARGS.join(' ') || '(no flags)'} bin/reyestr.mjs worker …\`) against a gate process (auth on, mutation rate limit off) and the fake registry (in the bench
process, no added latency). Tasks of ${TASK_SIZE} decisions (100 rows per results page: one search request per task);
The budgeted run holds two tasks at a time so the next task's search overlaps the end of the last one (with \`--tasks 1\`
the claim → search → complete gap at each task boundary costs a few % of the budget). Documents/s counts from the first claim to the last completion (gate timestamps), so it includes claiming, searching,
packing and uploading each decision to the gate's document store, knownDocumentIds/registerDocuments, progress reports and completions.
The goal row is the unthrottled run in the worker's default configuration (no \`--output-dir\`: decisions go to the
gate's store only), warm: like the registry-only row, which measures the library after a warm-up pass, and like a
deployed worker, it counts after the worker has downloaded ${WARM_UP_DOCUMENTS} decisions (BENCH_WARM_UP_DOCUMENTS); the
fresh-worker row is the same run without the warm-up. The row with \`--output-dir\` also writes each decision's three
files into a local copy, for what that costs.

| run | documents | seconds | documents/s | registry requests/s | target |
|---|---|---|---|---|---|
| \`--rate ${BUDGET} --concurrency 4 --tasks 2\` | ${budgeted.documents} | ${budgeted.seconds.toFixed(1)} | ${budgeted.perSecond.toFixed(1)} | ${budgeted.requestsPerSecond.toFixed(2)} (${(budgetRatio * 100).toFixed(1)}% of the budget) | ≥ 95% of the budget ${mark(budgetRatio >= 0.95)} |
| \`${fastFlags}\` (goal row: the default, no local copy${warmNote}) | ${fast.documents} | ${fast.seconds.toFixed(1)} | ${fast.perSecond.toFixed(0)} (${(fastRatio * 100).toFixed(0)}% of registry-only) | ${fast.requestsPerSecond.toFixed(0)} | ≥ 50% of registry-only ${mark(fastRatio >= 0.5)} |
| \`${fastFlags}\` (a fresh worker: no warm-up) | ${fresh.documents} | ${fresh.seconds.toFixed(1)} | ${fresh.perSecond.toFixed(0)} (${((fresh.perSecond / libraryRate) * 100).toFixed(0)}% of registry-only) | ${fresh.requestsPerSecond.toFixed(0)} | |
| \`${fastFlags} --output-dir …\` (with a local copy${warmNote}) | ${fastCopy.documents} | ${fastCopy.seconds.toFixed(1)} | ${fastCopy.perSecond.toFixed(0)} (${((fastCopy.perSecond / libraryRate) * 100).toFixed(0)}% of registry-only) | ${fastCopy.requestsPerSecond.toFixed(0)} | |
| registry library only (\`fetchDecision\`, politeness off, 8 in flight, same run) | ${Math.min(FAST_DOCUMENTS, 1000)} | | ${libraryRate.toFixed(0)} | | |

Where the goal row's CPU went (user + system ms per document, from \`/proc\`; the bench process serves the fake
registry; PostgreSQL counts all its processes, so other work on the box lands there too): worker **${cpu.worker.toFixed(2)}**,
gate **${cpu.gate.toFixed(2)}**, PostgreSQL **${cpu.postgres.toFixed(2)}**, fake registry + bench **${cpu.bench.toFixed(2)}** (the worker's by thread: ${Object.entries(
      fast.workerThreads,
    )
      .filter(([, ms]) => ms >= 0.05)
      .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
      .join(', ')}) — in all
${cpuTotal.toFixed(2)} ms, i.e. at most ${((cpus().length * 1000) / cpuTotal).toFixed(0)} documents/s on ${cpus().length} cores. With the local copy: worker **${copyCpu.worker.toFixed(2)}**, gate
**${copyCpu.gate.toFixed(2)}** ms per document. The registry-only row costs
**${library.cpuPerDocument.toFixed(2)}** ms per document (fake registry and library in one process).

Peak RSS of the worker process (VmHWM): **${rss.toFixed(0)} MB** (target ≤ 150 MB ${mark(rss <= 150)}; budgeted run ${budgeted.rssMb.toFixed(0)} MB, unthrottled ${fast.rssMb.toFixed(0)} MB, with the local copy ${fastCopy.rssMb.toFixed(0)} MB).

Notes. The unthrottled run is CPU-bound on the whole box: gate, PostgreSQL, fake registry and worker share ${cpus().length} cores, while the
registry-only row runs fetch + parse in one process with nothing else (a CPU profile of the worker shows it ~⅓ idle, waiting
on the others). Against the real registry (hundreds of ms per page, 2 requests/s by default) the worker is far from this
limit. RSS: an idle worker is ~130 MB (node ~40 MB, tsx's loader thread ~35 MB, the registry library and its parsers ~55 MB).
Without a bound V8 lets a busy worker's heap grow (~240 MB peak in this run's shape) although it keeps far less alive: with
\`--max-old-space-size=48\` it runs the same load. Hence the recommended flags above (also in deploy/reyestr-worker.service
and README); they cost a little throughput in GC.`;
    if (WRITE) writeSection('Worker end to end (`npm run bench:worker`)', body);
    console.log(body);
  } finally {
    await gate.stop();
    await registry.close();
    await db.drop();
  }
}

await main();
