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
  // As small as will last (a larger table costs each claim a little more: 1,300,000 tasks read 2.5 % below 600,000,
  // two runs each, session 14): a quarter more than the script's rate (itself too high when its queue ran dry) would
  // use in the run, and twice that again whenever it still runs dry.
  let queue = Math.max(scriptQueue, Math.ceil((scriptRate * seconds * 1.25) / 100_000) * 100_000);
  for (let attempt = 0; attempt < 3; attempt++, queue *= 2) {
    const run = runOnQueue(script, setUp, queue, seconds);
    if (!run) return { ok: false, why: 'pgbench printed no tps on the lasting queue' };
    if (run.completed < queue) return { ok: true, ...run, queue, scriptQueue };
  }
  return { ok: false, why: `a queue of ${queue / 2} tasks ran dry too` };
}

/** pgbench with the script's batch cycle on a throw-away database of `queue` tasks: tasks completed per second. */
function runOnQueue(script: string, setUp: string, queue: number, seconds: number) {
  const env = { ...PG, ...process.env }; // the script's defaults, unless set
  const database = `dblimit_lasting_${process.pid}`;
  const psql = (args: string[], input?: string) =>
    execFileSync('psql', ['-qAt', ...args], { env, input, stdio: ['pipe', 'pipe', 'inherit'] }).toString();
  psql(['-c', `CREATE DATABASE ${database}`]);
  try {
    psql(['-d', database], setUp.replace(QUEUE_SIZE, `generate_series(1,${queue})`));
    const clients = process.env.CLIENTS ?? '8'; // as the script: CLIENTS (8), two threads
    const cycle = join(dirname(script), 'claim_complete_batch.sql');
    const out = execFileSync(
      'pgbench',
      ['-n', '-f', cycle, '-c', clients, '-j', '2', '-T', String(seconds), database],
      { env, stdio: ['ignore', 'pipe', 'ignore'] },
    ).toString();
    const tps = Number(/^tps = ([\d.]+)/m.exec(out)?.[1]);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1]);
    if (!tps || !transactions) return null;
    const completed = Number(psql(['-d', database, '-c', "SELECT count(*) FROM task WHERE status = 'completed'"]));
    // pgbench's seconds without its connection time, as its tps counts them
    const runSeconds = transactions / tps;
    return { rate: Math.round(completed / runSeconds), completed, seconds: runSeconds };
  } finally {
    psql(['-c', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`]);
  }
}
