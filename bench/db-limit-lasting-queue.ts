// `db-limit.sh --batch`'s cycle on a queue that cannot run dry during the run (bench/db-limit.ts says why). The
// database is made by the script's own SQL (read from the script, so it stays the script's schema) with more tasks,
// and pgbench runs the script's own claim_complete_batch.sql; the rate is the tasks really completed per second.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type LastingQueue =
  | { ok: true; rate: number; completed: number; seconds: number; queue: number; scriptQueue: number }
  | { ok: false; why: string };

/** `generate_series(1,N)` in the script's set-up: the size of its queue. */
const QUEUE_SIZE = /generate_series\(1,\s*(\d+)\)/;
const PG = { PGHOST: '127.0.0.1', PGPORT: '5432', PGUSER: 'postgres' };

export function batchOnLastingQueue(script: string, seconds: number, scriptRate: number): LastingQueue {
  const text = readFileSync(script, 'utf8');
  const setUp = /<<'SQL'\n([\s\S]*?)\nSQL\n/.exec(text)?.[1];
  const scriptQueue = Number(setUp && QUEUE_SIZE.exec(setUp)?.[1]);
  if (!setUp || !scriptQueue) return { ok: false, why: 'its set-up SQL was not found: no lasting-queue run' };
  // twice what the script's rate would use in the run (+ pgbench's start), and never less than the script's queue
  const queue = Math.max(scriptQueue, Math.ceil((scriptRate * (seconds + 2) * 2) / 100_000) * 100_000);
  const env = { ...process.env, ...PG, ...pick(process.env, Object.keys(PG)) };
  const database = `dblimit_lasting_${process.pid}`;
  const psql = (args: string[], input?: string) =>
    execFileSync('psql', ['-qAt', ...args], { env, input, stdio: ['pipe', 'pipe', 'inherit'] }).toString();
  psql(['-c', `CREATE DATABASE ${database}`]);
  try {
    psql(['-d', database], setUp.replace(QUEUE_SIZE, `generate_series(1,${queue})`));
    const out = execFileSync(
      'pgbench',
      [
        '-n',
        '-f',
        join(dirname(script), 'claim_complete_batch.sql'),
        '-c',
        process.env.CLIENTS ?? '8', // as the script: CLIENTS (8)
        '-j',
        '2',
        '-T',
        String(seconds),
        database,
      ],
      { env, stdio: ['ignore', 'pipe', 'ignore'] },
    ).toString();
    const tps = Number(/^tps = ([\d.]+)/m.exec(out)?.[1]);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1]);
    const completed = Number(psql(['-d', database, '-c', "SELECT count(*) FROM task WHERE status = 'completed'"]));
    if (!tps || !transactions) return { ok: false, why: 'pgbench printed no tps on the lasting queue' };
    if (completed >= queue) return { ok: false, why: `the lasting queue of ${queue} tasks ran dry too` };
    // pgbench's seconds without its connection time, as its tps counts them
    const runSeconds = transactions / tps;
    return { ok: true, rate: Math.round(completed / runSeconds), completed, seconds: runSeconds, queue, scriptQueue };
  } finally {
    psql(['-c', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`]);
  }
}

function pick(from: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => from[name] !== undefined).map((name) => [name, from[name]!]));
}
