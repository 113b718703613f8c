// The database's own ceiling for the queue's hot path (../shared/bench/db-limit.sh: pgbench running a claim +
// event row + complete + event row cycle on a throw-away database), measured in the same run as a benchmark
// so its rows can be read against it (issue 16: the goals are ratios to this, in one run).
//   BENCH_DB_LIMIT=0           skip it (the rows print "skipped")
//   BENCH_DB_LIMIT_SECONDS=N   pgbench's duration per mode (the script's default, 10 s, when unset)
//
// `--batch` also runs on a queue that lasts (db-limit-lasting-queue.ts): the script's queue holds 300,000 tasks,
// which a fast box empties in 4-6 s of its ≥ 10 s run at 50 per transaction, and pgbench goes on counting each
// transaction that then finds nothing as 50 tasks (2,000 tps of empty claims against ~200 of real ones, measured on
// this box with `pgbench -P 1`, docs/benchmarks.md "session 14"). Batched rows are read against the lasting-queue
// number whenever the script's queue may have run dry, and the line shows both.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { projectPath } from '../server/project-root.ts';
import { batchOnLastingQueue } from './db-limit-lasting-queue.ts';

export interface DbLimit {
  /** single-task claim+complete cycles/s (`db-limit.sh`); null when skipped */
  single: number | null;
  /** tasks/s with 50 tasks per claim/complete: `db-limit.sh --batch`, or its cycle on a lasting queue (above) */
  batch: number | null;
  /** one line to print beside the rows */
  line: string;
}

const SCRIPT = projectPath('..', 'shared', 'bench', 'db-limit.sh');

export function dbLimit(): DbLimit {
  if (process.env.BENCH_DB_LIMIT === '0')
    return { single: null, batch: null, line: 'db-limit.sh: skipped (BENCH_DB_LIMIT=0)' };
  if (!existsSync(SCRIPT)) return { single: null, batch: null, line: `db-limit.sh: not found at ${SCRIPT}` };
  // Always pass SECONDS: bash's own SECONDS counts from the script's start, so unset it made pgbench run only as
  // long as the set-up had taken (1–3 s), and `-T 0` (set-up under a second) printed no tps at all.
  const seconds = Number(process.env.BENCH_DB_LIMIT_SECONDS ?? '10');
  const env = { ...process.env, SECONDS: String(seconds) };
  const run = (args: string[]) => {
    const started = performance.now();
    const rate = Number(
      execFileSync('bash', [SCRIPT, ...args], { env })
        .toString()
        .trim(),
    );
    return { rate, wallSeconds: (performance.now() - started) / 1000 };
  };
  const single = run([]).rate;
  const script = run(['--batch']);
  const lasting = batchOnLastingQueue(SCRIPT, seconds, script.rate);
  const scriptLine = `\`../shared/bench/db-limit.sh\`: **${single}** cycles/s single, \`--batch\`: **${script.rate}** tasks/s (pgbench, 8 clients, ${seconds} s each, same run)`;
  if (!lasting.ok) return { single, batch: script.rate, line: `${scriptLine}; ${lasting.why}` };
  // pgbench ran no longer than the script did: below its queue's size in that time, the queue cannot have run dry
  const mayHaveRunDry = script.rate * script.wallSeconds >= lasting.scriptQueue;
  const batch = mayHaveRunDry ? lasting.rate : Math.max(script.rate, lasting.rate);
  const why = mayHaveRunDry
    ? `its queue of ${lasting.scriptQueue.toLocaleString('en')} tasks lasts ${(lasting.scriptQueue / script.rate).toFixed(1)} s at that rate, so it counted claims that found nothing: batched rows are read against`
    : 'its queue lasted its run; batched rows are read against the higher of the two:';
  return {
    single,
    batch,
    line: `${scriptLine}; ${why} the same cycle on a queue of ${lasting.queue.toLocaleString('en')} tasks, **${lasting.rate}** tasks/s (${lasting.completed.toLocaleString('en')} completed in ${lasting.seconds.toFixed(1)} s)`,
  };
}

/** "63% of db-limit" (or "— (db-limit skipped)") for a rate measured in the same run. */
export function ofLimit(rate: number, limit: number | null): string {
  return limit ? `${Math.round((100 * rate) / limit)}%` : '—';
}
