// Shared by the benchmarks: the machine description, percentiles, and updating one section of
// docs/benchmarks.md without touching the others.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { Pool } from 'undici';
import { startGateProcess as startGateProcessForTests } from '../test/support/gate-process.ts';

/** The middle value (the upper one of an even count): the A/B benches' summary of their rounds. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The 1-minute load average, as the A/B benches print it beside each round. */
export const loadNow = () => loadavg()[0].toFixed(1);

export function machine(): string {
  return `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))];
}

/** Replaces (or appends) the section that starts with `## <title>` in docs/benchmarks.md; BENCH_WRITE=0: does nothing. */
export function writeSection(title: string, body: string, file = 'docs/benchmarks.md') {
  if (process.env.BENCH_WRITE === '0') return;
  const header = `## ${title}`;
  let doc = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nEach section is rewritten by its own `npm run bench:…` command.\n';
  // the whole heading line: "## REST request→complete" must not find "## REST request→complete on PGlite"
  const start = doc.startsWith(`${header}\n`) ? 0 : doc.indexOf(`\n${header}\n`) + 1 || -1;
  const section = `${header}\n\n${body.trim()}\n`;
  if (start === -1) doc = `${doc.trimEnd()}\n\n${section}`;
  else {
    const next = doc.indexOf('\n## ', start + header.length);
    doc = `${doc.slice(0, start)}${section}${next === -1 ? '' : `\n${doc.slice(next + 1)}`}`;
  }
  writeFileSync(file, doc);
}

/**
 * How `npm start` (and so deploy/reyestr-gate.service) runs the gate, read from package.json so a bench's gate runs as
 * a deployed one does: its variables (NAME=value before `node`) and node's options. BENCH_GATE_TUNING=0: neither
 * (node's defaults), to compare.
 */
export function gateStart(packageJson = 'package.json'): { env: Record<string, string>; nodeArgs: string[] } {
  const start = (JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: { start: string } }).scripts.start;
  const parts = /^((?:[A-Z_]+=\S+ )*)node ((?:--\S+ )*)bin\/reyestr\.mjs serve$/.exec(start);
  if (!parts)
    throw new Error(`package.json: "start" is not "[NAME=value …] node [--options] bin/reyestr.mjs serve": ${start}`);
  if (process.env.BENCH_GATE_TUNING === '0') return { env: {}, nodeArgs: [] };
  const words = (text: string) => text.split(' ').filter(Boolean);
  return {
    env: Object.fromEntries(words(parts[1]).map((word) => word.split('=') as [string, string])),
    nodeArgs: words(parts[2]),
  };
}

/** How the bench ran the gate, for its report. */
export function gateTuning(): string {
  const { env, nodeArgs } = gateStart();
  const words = [...Object.entries(env).map(([name, value]) => `${name}=${value}`), ...nodeArgs];
  return words.length > 0 ? ` (gate run as \`npm start\` runs it: ${words.join(' ')})` : " (gate on node's defaults)";
}

/**
 * Starts `reyestr serve` as its own process, as `npm start` does in production (gateStart()), logging warnings only
 * so logs cost nothing. BENCH_GATE_NODE_ARGS (space-separated) go to node as well, e.g.
 * '--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the gate during a bench (written when the gate stops).
 */
// A new PGlite data dir starts with initdb and every migration: tens of seconds on a loaded machine.
// `checkout`: run the gate of another checkout, as its own package.json starts it (A/B benches).
export const startGateProcess = (env: Record<string, string>, timeoutMs = 180_000, checkout?: string) => {
  const start = gateStart(checkout ? join(checkout, 'package.json') : 'package.json');
  return startGateProcessForTests(
    { LOG_LEVEL: 'warn', ...start.env, ...env },
    timeoutMs,
    [...start.nodeArgs, ...(process.env.BENCH_GATE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)],
    checkout,
  );
};

/** A memory field of /proc/<pid>/status (VmRSS, VmHWM, RssAnon…), in MB (Linux). */
export const procStatusMb = (pid: number, field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Peak resident memory of a process so far (VmHWM), in MB (Linux). */
export const peakRssMb = (pid: number) => procStatusMb(pid, 'VmHWM');

/** Resident memory of a process now, in MB (Linux). */
export const rssMb = (pid: number) => procStatusMb(pid, 'VmRSS');

/** CPU time (user + system) a process has used so far, in ms (Linux: /proc/<pid>/stat, clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  // The command name (field 2) may hold spaces and parentheses: count from its closing one.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU ms of one process's main thread ("main") and of its other threads by name (libuv's pool, V8's helpers). */
export function threadCpuMs(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const name =
      tid === String(pid)
        ? 'main'
        : stat
            .slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
            .replace(/\d+$/, '')
            .trim();
    const fields = stat.split(') ').at(-1)!.split(' ');
    byName[name] = (byName[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10;
  }
  return byName;
}

/**
 * CPU time all of this machine's PostgreSQL processes have used so far, in ms: the live ones' own time plus, on the
 * postmaster, the time of the backends that have already exited (cutime + cstime). Differences of two readings
 * give the server's CPU over a run, whichever connections did the work (pgbench's and other work's included, so
 * read it on a quiet box or as a share).
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const { stat } of postgresProcesses()) {
    const fields = stat.split(') ').at(-1)!.split(' ');
    total += (Number(fields[11]) + Number(fields[12])) * 10;
    if (fields[1] === '1') total += (Number(fields[13]) + Number(fields[14])) * 10; // the postmaster (parent: init)
  }
  return total;
}

/**
 * CPU ms so far of each live backend connected to `database` (its process title names it), by pid: other work on a
 * shared server is left out. backendCpuMsSince gives the difference over a run.
 */
export function backendCpuMs(database: string): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const { pid, stat, title } of postgresProcesses(true)) {
    if (!title.includes(` ${database} `)) continue;
    const fields = stat.split(') ').at(-1)!.split(' ');
    byPid.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
  }
  return byPid;
}

/**
 * The CPU ms `database`'s backends used since `before` (backendCpuMs): those live now, from their reading then (0 for
 * new ones). A backend that exited meanwhile (a pool's idle timeout) is left out, never subtracted.
 */
export function backendCpuMsSince(database: string, before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of backendCpuMs(database)) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** This machine's PostgreSQL processes now: their /proc stat, and with `withTitles` their process titles too. */
function postgresProcesses(withTitles = false): Array<{ pid: number; stat: string; title: string }> {
  const found: Array<{ pid: number; stat: string; title: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const title = withTitles ? readFileSync(`/proc/${entry}/cmdline`, 'utf8') : '';
      found.push({ pid: Number(entry), stat, title });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** `count` ordinary DOWNLOAD tasks over result pages firstPage, firstPage+1, … — rows for insertTasks. */
export const downloadTaskRows = (count: number, firstPage = 1) =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'DOWNLOAD' as const,
    searchParams: { CourtRegion: ['11'] },
    startPage: firstPage + i,
    maxDocuments: 25,
    priority: 0,
    runAt: null,
    maxAttempts: 3,
    dedupKey: null,
    parentId: null,
  }));

/**
 * The benches' client for the gate's routes: POSTs of JSON with an API key, the answer's body parsed, over keep-alive
 * connections of undici's Pool (its request API, one pool per gate). It shares the two cores with the gate and the
 * database, so its cost is part of every rate: 33–43 µs of CPU per request against 78–102 µs for node:http with a
 * keep-alive Agent and ~2.5× that for fetch (8 loops against a plain local server, 3 rounds, session 11).
 */
export class JsonPoster {
  private readonly pools = new Map<string, Pool>();
  constructor(private readonly connectionsPerGate: number) {}

  async post(base: string, path: string, key: string, body: unknown): Promise<{ status: number; body: any }> {
    let pool = this.pools.get(base);
    if (!pool) this.pools.set(base, (pool = new Pool(base, { connections: this.connectionsPerGate })));
    const answer = await pool.request({
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(body),
    });
    const text = await answer.body.text();
    return { status: answer.statusCode, body: text ? JSON.parse(text) : null };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}

/**
 * ANALYZE the task tables of the gate's PostgreSQL database at `url`, after a bench has filled them. A connection
 * keeps the generic plan it made of a statement until the table's statistics change: made during a warm-up on a few
 * hundred tasks, it scans the table (a seq scan of a tiny table is cheapest) and goes on scanning the thousands the
 * bench adds next. Autovacuum analyzes a table that grew this much within its naptime (a minute); a measured run starts
 * seconds after the seeding, so the bench does it, to measure the gate as it runs after that minute.
 */
export async function analyzeTasks(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE tasks, task_events, clients');
  } finally {
    await client.end();
  }
}

/** The completion the raw-SQL loops send for a claimed task row (one document, a fixed hash): the gate's Completion. */
export const rawCompletionOf = (task: { id: string; leaseToken: string | null }) => ({
  taskId: task.id,
  leaseToken: task.leaseToken!,
  documentsDownloaded: 1,
  documentsFailed: 0,
  documentsSkipped: 0,
  resultSummary: null,
  completionHash: 'x',
});
