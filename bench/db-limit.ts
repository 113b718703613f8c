// The database's own ceiling for the queue's hot path (../shared/bench/db-limit.sh: pgbench running a claim +
// event row + complete + event row cycle on a throw-away database), measured in the same run as a benchmark
// so its rows can be read against it (issue 16: the goals are ratios to this, in one run).
//   BENCH_DB_LIMIT=0           skip it (the rows print "skipped")
//   BENCH_DB_LIMIT_SECONDS=N   pgbench's duration per mode (the script's default, 10 s, when unset)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { projectPath } from '../server/project-root.ts';

export interface DbLimit {
  /** single-task claim+complete cycles/s (`db-limit.sh`); null when skipped */
  single: number | null;
  /** tasks/s with 50 tasks per claim/complete (`db-limit.sh --batch`); null when skipped */
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
  const env = { ...process.env, SECONDS: process.env.BENCH_DB_LIMIT_SECONDS ?? '10' };
  const run = (args: string[]) =>
    Number(
      execFileSync('bash', [SCRIPT, ...args], { env })
        .toString()
        .trim(),
    );
  const single = run([]);
  const batch = run(['--batch']);
  const seconds = env.SECONDS;
  return {
    single,
    batch,
    line: `\`../shared/bench/db-limit.sh\`: **${single}** cycles/s single, \`--batch\`: **${batch}** tasks/s (pgbench, 8 clients, ${seconds} s each, same run)`,
  };
}

/** "63% of db-limit" (or "— (db-limit skipped)") for a rate measured in the same run. */
export function ofLimit(rate: number, limit: number | null): string {
  return limit ? `${Math.round((100 * rate) / limit)}%` : '—';
}
