// One checkout's search indexer over documents already stored, for bench:index-ab (run as a child process, one per
// checkout and round, so each checkout's modules load on their own): opens the database as the gate does, then
// PASSES times clears the index (every stored document queued again, VACUUM: dead rows and GIN's pending list
// gone) and drains the queue with the checkout's `indexQueuedDocuments`. The first WARMUP passes are not counted
// (JIT). Prints one JSON line: per measured pass, the seconds, this process's CPU (the gate's work) and the CPU of
// the PostgreSQL backends serving it, with flushing GIN's pending list after it (/proc), in ms.
// Usage: tsx bench/index-run.ts <checkout> <database url> [passes] [warm-up passes]
import { join, resolve } from 'node:path';
import pg from 'pg';
import { cpuMs } from './support.ts';

const [checkout, url, passesArg = '3', warmupArg = '1'] = process.argv.slice(2);
const root = resolve(checkout);
const { openDatabase, closeDatabase } = await import(join(root, 'server/db/database.ts'));
const { indexQueuedDocuments } = await import(join(root, 'server/services/search-indexer.ts'));

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const admin = new pg.Client({ connectionString: url });
await admin.connect();
const adminPid: number = (await admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
await openDatabase({ kind: 'postgres', url, display: url });

/** The database's client backends other than the admin session: the gate's pool. */
async function backends(): Promise<number[]> {
  const { rows } = await admin.query(
    `SELECT pid FROM pg_stat_activity
     WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
  );
  return rows.map((r: { pid: number }) => r.pid);
}
const backendCpuMs = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);

const passes: Array<{ documents: number; seconds: number; gateCpuMs: number; postgresCpuMs: number }> = [];
for (let pass = 0; pass < Number(passesArg); pass++) {
  await admin.query('UPDATE documents SET search_vector = NULL, indexed_at = NULL WHERE stored_at IS NOT NULL');
  await admin.query('VACUUM documents');
  const pids = await backends();
  const started = performance.now();
  const gateBefore = ownCpuMs();
  const postgresBefore = backendCpuMs(pids);
  const documents = await indexQueuedDocuments();
  const gateCpuMs = ownCpuMs() - gateBefore;
  // What is left in GIN's pending list is the pass's work too (autovacuum or a later insert would merge it).
  const flushBefore = cpuMs(adminPid);
  await admin.query("SELECT gin_clean_pending_list('documents_search_vector_idx')");
  const flushCpuMs = cpuMs(adminPid) - flushBefore;
  const newPids = (await backends()).filter((pid) => !pids.includes(pid));
  if (newPids.length > 0 && pass >= Number(warmupArg))
    throw new Error(`the pool opened ${newPids.length} connection(s) during a measured pass: add warm-up passes`);
  passes.push({
    documents,
    seconds: (performance.now() - started) / 1000,
    gateCpuMs,
    postgresCpuMs: backendCpuMs(pids) - postgresBefore + flushCpuMs,
  });
}
await closeDatabase();
await admin.end();
console.log(JSON.stringify(passes.slice(Number(warmupArg))));
