// npx tsx bench/task-ids-ab.ts — random vs creation-ordered task ids, in one run (issue 16). One database per variant
// (SIDES, default random,counter,v7), migrated alike and seeded with SEED tasks (db-limit.sh's size): `random`
// replaces reyestr_task_id() by gen_random_uuid() (the ids before the migration 20261204160000_sequential_task_ids),
// `counter` keeps the migration's ids, `v7` uses a UUIDv7 (48-bit millisecond clock first); the other VARIANTS
// change the tasks table (fillfactor) or drop an index, to see what it costs.
// Rounds rotate through the variants, then back: 8 clients claim and complete batches of 50 with the gate's
// statements (claimTasks/completeTasks) until ROUND_TASKS tasks are done. Per task: backend CPU of the pool's
// connections (/proc/<pid>/stat), and the WAL written for that database (pg_waldump over the round's LSN range, the
// records whose block references name its oid: bytes and full-page images, by relation). Needs root (pg_wal is read).
// Env: SEED (300000), ROUNDS (6 per variant), ROUND_TASKS (10000), PG_WAL (/var/lib/postgresql/15/main/pg_wal),
// PG_WALDUMP, DB_PREFIX (reyestr_bench_ids), CHECKPOINT (1: one before each round; 0: none).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Prisma } from '../server/generated/prisma/client.ts';
import { closeDatabase, openDatabase, prisma, run } from '../server/db/database.ts';
import { applyMigrations } from '../server/db/migrate.ts';
import { claimTasks } from '../server/db/sql/claim-tasks.ts';
import { completeTasks } from '../server/db/sql/complete-task.ts';
import { insertTasks } from '../server/db/sql/insert-tasks.ts';
import { createPostgresDatabase, type TestDatabase } from '../test/support/databases.ts';
import { downloadTaskRows, rawCompletionOf } from './support.ts';

const SEED = Number(process.env.SEED ?? 300_000);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
const ROUND_TASKS = Number(process.env.ROUND_TASKS ?? 10_000);
const PG_WAL = process.env.PG_WAL ?? '/var/lib/postgresql/15/main/pg_wal';
const CHECKPOINT = process.env.CHECKPOINT !== '0';
const CLIENTS = 8;
const BATCH = 50;
const TICK_MS = 1000 / 100; // CLK_TCK

interface Side {
  name: string;
  db: TestDatabase;
  oid: number;
  clientIds: string[];
  rounds: Array<{ cpuMs: number; tasks: number; wal: Wal; seconds: number }>;
}

const RANDOM = 'SELECT gen_random_uuid()';
const UUID_V7 = `SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
  substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid`;

const idFunction = (body: string) =>
  `CREATE OR REPLACE FUNCTION reyestr_task_id() RETURNS uuid LANGUAGE sql VOLATILE AS $$ ${body} $$`;
/** The variants (SIDES picks them): SQL run after the migrations, before the seeding. */
const VARIANTS: Record<string, string[]> = {
  random: [idFunction(RANDOM)],
  counter: [],
  v7: [idFunction(UUID_V7)],
  fillfactor80: ['ALTER TABLE tasks SET (fillfactor = 80)'],
  fillfactor60: ['ALTER TABLE tasks SET (fillfactor = 60)'],
  noDedupIndex: [],
  noEventIndex: [],
};
/** …and SQL run after the seeding (which needs the dedup key's unique index), to see what an index costs. */
const AFTER_SEEDING: Record<string, string[]> = {
  noDedupIndex: [
    'ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_dedup_key_key',
    'DROP INDEX IF EXISTS tasks_dedup_key_key',
  ],
  noEventIndex: ['DROP INDEX task_events_task_id_seq_idx'],
};

async function prepare(name: string, setup: string[]): Promise<Side> {
  const db = await createPostgresDatabase(process.env.DB_PREFIX ?? 'reyestr_bench_ids');
  const opened = await openDatabase(db.config);
  try {
    await applyMigrations(opened);
    for (const statement of setup) await prisma.$executeRawUnsafe(statement);
    for (let i = 0; i < SEED; i += 1000) await insertTasks(downloadTaskRows(Math.min(1000, SEED - i), i + 1));
    for (const statement of AFTER_SEEDING[name] ?? []) await prisma.$executeRawUnsafe(statement);
    await prisma.$executeRawUnsafe('VACUUM ANALYZE tasks, task_events');
    const clientIds: string[] = [];
    for (let i = 0; i < CLIENTS; i++) clientIds.push((await prisma.client.create({ data: { name: `ab-${i}` } })).id);
    const [{ oid }] = await run<{ oid: number }>(
      Prisma.sql`SELECT oid::int FROM pg_database WHERE datname = current_database()`,
    );
    const sample = await run<{ id: string }>(Prisma.sql`SELECT id FROM tasks ORDER BY created_at LIMIT 2`);
    console.log(`${name}: seeded ${SEED} tasks, oid ${oid}, first ids ${sample.map((r) => r.id).join(' ')}`);
    return { name, db, oid, clientIds, rounds: [] };
  } finally {
    await closeDatabase();
  }
}

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

const poolPids = async () =>
  (
    await run<{ pid: number }>(
      Prisma.sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${`reyestr-gate ${process.pid} pool`}`,
    )
  ).map((r) => r.pid);

const lsn = async () => (await run<{ lsn: string }>(Prisma.sql`SELECT pg_current_wal_lsn()::text AS lsn`))[0].lsn;

interface Wal {
  bytes: number;
  fpi: number;
  byRelation: Map<number, { bytes: number; fpi: number }>;
}

/** The WAL records between two LSNs that touch database `oid`: their total length and full-page images. */
function walOf(oid: number, from: string, to: string): Wal {
  const wal: Wal = { bytes: 0, fpi: 0, byRelation: new Map() };
  let out: string;
  try {
    out = execFileSync(
      process.env.PG_WALDUMP ?? '/usr/lib/postgresql/15/bin/pg_waldump',
      ['-p', PG_WAL, '-s', from, '-e', to],
      {
        maxBuffer: 1 << 30,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ).toString();
  } catch (error) {
    const failed = error as { stdout?: Buffer; stderr?: Buffer };
    out = (failed.stdout ?? Buffer.alloc(0)).toString(); // it may stop at `to` with a complaint
    if (!out) {
      console.log(`   pg_waldump: ${failed.stderr?.toString().trim()}`);
      return { bytes: Number.NaN, fpi: Number.NaN, byRelation: wal.byRelation }; // left out of the medians
    }
  }
  const inDb = new RegExp(`rel \\d+/${oid}/(\\d+)`);
  for (const line of out.split('\n')) {
    const rel = inDb.exec(line);
    if (!rel) continue;
    const tot = Number(/len \(rec\/tot\):\s*\d+\/\s*(\d+)/.exec(line)?.[1] ?? 0);
    const fpi = (line.match(/\bFPW\b/g) ?? []).length;
    wal.bytes += tot;
    wal.fpi += fpi;
    const r = wal.byRelation.get(Number(rel[1])) ?? { bytes: 0, fpi: 0 };
    r.bytes += tot;
    r.fpi += fpi;
    wal.byRelation.set(Number(rel[1]), r);
  }
  return wal;
}

async function round(side: Side) {
  await openDatabase(side.db.config);
  try {
    // warm: every client's connection made and its statements prepared before the clock starts
    await Promise.all(
      side.clientIds.map(async (c) => {
        const leases = await claimTasks(c, BATCH, 60);
        await completeTasks(leases.map(rawCompletionOf));
      }),
    );
    // every round starts as the first after a checkpoint: each page's first change is then a full-page image
    if (CHECKPOINT) await prisma.$executeRawUnsafe('CHECKPOINT');
    const pids = await poolPids();
    const cpuBefore = pids.map(cpuMs);
    const from = await lsn();
    const started = performance.now();
    let left = ROUND_TASKS;
    const counts = await Promise.all(
      side.clientIds.map(async (c) => {
        let done = 0;
        while (left > 0) {
          left -= BATCH;
          const leases = await claimTasks(c, BATCH, 60);
          if (leases.length === 0) break;
          await completeTasks(leases.map(rawCompletionOf));
          done += leases.length;
        }
        return done;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const to = await lsn();
    const after = await poolPids();
    const cpu = after.reduce((sum, pid) => {
      const i = pids.indexOf(pid);
      return sum + cpuMs(pid) - (i >= 0 ? cpuBefore[i] : 0);
    }, 0);
    const tasks = counts.reduce((a, b) => a + b, 0);
    const wal = walOf(side.oid, from, to);
    side.rounds.push({ cpuMs: cpu, tasks, wal, seconds });
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(
      `${side.name}: ${tasks} tasks in ${seconds.toFixed(1)} s, backends ${(cpu / tasks).toFixed(3)} ms/task, ` +
        `WAL ${(wal.bytes / tasks).toFixed(0)} B/task, FPI ${(wal.fpi / tasks).toFixed(3)}/task (load ${load})`,
    );
    return await printWalByRelation(wal);
  } finally {
    await closeDatabase();
  }
}

/** The relations that took most of the round's WAL, by name (the open database's catalogue). */
async function printWalByRelation(wal: Wal) {
  const rows = await run<{ node: number; name: string }>(
    Prisma.sql`SELECT pg_relation_filenode(oid)::int AS node, relname AS name FROM pg_class WHERE pg_relation_filenode(oid) IS NOT NULL`,
  );
  const names = new Map(rows.map((r) => [r.node, r.name]));
  const top = [...wal.byRelation.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 8);
  console.log(
    `   ${top.map(([node, r]) => `${names.get(node) ?? node} ${(r.bytes / 1024).toFixed(0)} KB/${r.fpi} FPI`).join(', ')}`,
  );
}

const median = (xs: number[]) => {
  const known = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return known[Math.floor(known.length / 2)];
};

async function main() {
  const sides: Side[] = [];
  for (const name of (process.env.SIDES ?? 'random,counter,v7').split(','))
    sides.push(await prepare(name, VARIANTS[name]));
  try {
    for (let r = 0; r < ROUNDS; r++) for (const side of r % 2 ? [...sides].reverse() : sides) await round(side);
    for (const side of sides) {
      const per = (f: (x: Side['rounds'][number]) => number) => side.rounds.map((x) => f(x) / x.tasks);
      const cpu = per((x) => x.cpuMs);
      const wal = per((x) => x.wal.bytes);
      const fpi = per((x) => x.wal.fpi);
      console.log(
        `${side.name}: backends ms/task median ${median(cpu).toFixed(3)} (${Math.min(...cpu).toFixed(3)}–${Math.max(...cpu).toFixed(3)}), ` +
          `WAL B/task median ${median(wal).toFixed(0)} (${Math.min(...wal.filter(Number.isFinite)).toFixed(0)}–${Math.max(...wal.filter(Number.isFinite)).toFixed(0)}), ` +
          `FPI/task median ${median(fpi).toFixed(3)}`,
      );
    }
  } finally {
    for (const side of sides) await side.db.drop();
  }
}

await main();
