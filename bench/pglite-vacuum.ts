// npm run bench:pglite-vacuum — what the gate's vacuum pass on embedded PGlite (server/pglite-vacuum.ts) changes:
// two PGlite data dirs in this process, the same rounds on each (BENCH_TASKS tasks inserted, then claimed and
// completed by 8 loops through the gate's own single claim and completion, server/services/lease-batches.ts), one
// without the pass and one with a pass after every round (the gate runs it on a timer; a round stands in for an
// interval). Prints per round the rate and this process's CPU per cycle (PGlite runs in it), and at the end the
// tables' and indexes' sizes and dead rows. Rounds alternate between the two, so load hits both alike; each round
// opens its side's data dir anew (one gate database per process), so its statistics counters start at zero, as after
// a gate's restart (PGlite does not keep them; the table sizes the rules scale with are kept).
// Env: BENCH_TASKS (2000 a round), BENCH_ROUNDS (10). Prints only.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase, prisma, type Database } from '../server/db/database.ts';
import { applyMigrations } from '../server/db/migrate.ts';
import { flushTableStatistics } from '../server/db/sql/flush-table-statistics.ts';
import { insertTasks } from '../server/db/sql/insert-tasks.ts';
import { createLogger } from '../server/observability/logger.ts';
import { PgliteVacuum } from '../server/pglite-vacuum.ts';
import { claimOneTask, completeOneTask } from '../server/services/lease-batches.ts';
import { downloadTaskRows, machine, rawCompletionOf } from './support.ts';

const CLIENTS = 8;
const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TABLES = ['tasks', 'task_events', 'clients'];

interface Side {
  label: string;
  dataDir: string;
  vacuum: boolean;
  clientIds: string[];
  cpuMsPerCycle: number[];
  rate: number[];
  vacuumMs: number[];
}

/** One round on one side: open its data dir, insert, claim and complete everything, (vacuum), close. */
async function round(side: Side, r: number): Promise<string> {
  const db: Database = await openDatabase({ kind: 'pglite', dataDir: side.dataDir });
  await applyMigrations(db);
  if (!side.clientIds.length) {
    for (let i = 0; i < CLIENTS; i++) side.clientIds.push((await prisma.client.create({ data: { name: `c${i}` } })).id);
  }
  for (let i = 0; i < TASKS; i += 1000)
    await insertTasks(downloadTaskRows(Math.min(1000, TASKS - i), r * TASKS + i + 1));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const counts = await Promise.all(
    side.clientIds.map(async (clientId) => {
      let n = 0;
      for (;;) {
        const lease = await claimOneTask({ clientId, ownerKeyId: null }, 60);
        if (!lease) return n;
        await completeOneTask(rawCompletionOf(lease));
        n++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cycles = counts.reduce((a, b) => a + b, 0);
  side.rate.push(cycles / seconds);
  side.cpuMsPerCycle.push((used.user + used.system) / 1000 / cycles);
  let vacuumed = '';
  if (side.vacuum) {
    const passStarted = performance.now();
    const done = (await new PgliteVacuum(db, 60_000, createLogger('silent')).tick()) ?? [];
    side.vacuumMs.push(performance.now() - passStarted);
    vacuumed = `; pass ${side.vacuumMs.at(-1)!.toFixed(0)} ms: ${done.map((d) => `${d.table} ${d.action} ${d.ms} ms`).join(', ')}`;
  }
  const line = `round ${r} ${side.label}: ${cycles} cycles, ${(cycles / seconds).toFixed(0)}/s, CPU ${side.cpuMsPerCycle.at(-1)!.toFixed(3)} ms/cycle, load ${loadavg()[0].toFixed(1)}${vacuumed}`;
  if (r === ROUNDS - 1) console.log(await sizes(side.label));
  await closeDatabase();
  return line;
}

/** Each table's heap and index sizes and its dead rows now. */
async function sizes(label: string): Promise<string> {
  await flushTableStatistics();
  const rows = await prisma.$queryRaw<Array<{ t: string; heap: number; idx: number; dead: number; live: number }>>`
    SELECT relname AS t, (pg_relation_size(relid) / 1024)::int AS heap, (pg_indexes_size(relid) / 1024)::int AS idx,
      n_dead_tup::int AS dead, n_live_tup::int AS live
    FROM pg_stat_user_tables WHERE relname = ANY(${TABLES})`;
  return rows
    .map((r) => `${label} ${r.t}: heap ${r.heap} kB, indexes ${r.idx} kB, dead rows ${r.dead}, live ${r.live}`)
    .join('\n');
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'reyestr-bench-pglite-vacuum-'));
  const side = (label: string, vacuum: boolean): Side => ({
    label,
    vacuum,
    dataDir: join(dir, label),
    clientIds: [],
    cpuMsPerCycle: [],
    rate: [],
    vacuumMs: [],
  });
  const sides = [side('without', false), side('with', true)];
  console.log(`${machine()}; PGlite in this process; ${CLIENTS} loops, ${ROUNDS} rounds of ${TASKS} tasks`);
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 ? [...sides].reverse() : sides) console.log(await round(s, r));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const s of sides) {
      const last = s.cpuMsPerCycle.slice(-3);
      console.log(
        `${s.label}: CPU ms/cycle first 3 rounds ${mean(s.cpuMsPerCycle.slice(0, 3)).toFixed(3)}, last 3 ${mean(last).toFixed(3)}; rate mean ${mean(s.rate).toFixed(0)}/s${s.vacuumMs.length ? `; passes ${mean(s.vacuumMs).toFixed(0)} ms mean` : ''}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
