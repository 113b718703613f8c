/**
 * `npm run bench:startup`: how fast the compiled build starts.
 * - CLI: `reyestr --help` (goal ≤ 0.5 s) and `reyestr tasks list` against a running gate (goal ≤ 1 s), with
 *   hyperfine (Debian package `hyperfine`), beside bare `node -e 0` and `curl` sending the same query.
 * - Gate: spawn of `reyestr serve` to its first answer (`GET /health` → 200), on PostgreSQL (database already
 *   migrated; goal ≤ 2 s) and on PGlite with an existing data dir (goal ≤ 4 s), and its RSS once idle
 *   (goal ≤ 200 MB on PostgreSQL).
 * The machine's load average is printed with the rows: on a shared box wall times grow with it, user+sys CPU
 * time much less. Writes its own section of docs/benchmarks.md (BENCH_WRITE=0: print only).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { gateStart, machine, median, rssMb, startGateProcess, writeSection } from './support.ts';

const KEY = 'bench-admin-key-0123456789abcdef';
const CLI = resolve('bin/reyestr.mjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const WRITE = process.env.BENCH_WRITE !== '0';

const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' / ');

interface HyperfineRow {
  command: string;
  mean: number;
  stddev: number;
  median: number;
  min: number;
  max: number;
  user: number;
  system: number;
}

/** hyperfine over the commands (no shell: -N), with this process's environment. */
function hyperfine(commands: string[], env: Record<string, string>): HyperfineRow[] {
  const file = join(tmpdir(), `reyestr-hyperfine-${process.pid}.json`);
  execFileSync(
    'hyperfine',
    ['-N', '--style', 'none', '--warmup', '3', '--runs', String(RUNS), '--export-json', file, ...commands],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const rows = JSON.parse(readFileSync(file, 'utf8')).results as HyperfineRow[];
  rmSync(file, { force: true });
  return rows;
}

const freePort = () =>
  new Promise<number>((ok) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });

/** Spawns `reyestr serve` and polls /health every 10 ms: ms from spawn to the first 200, and RSS 5 s later. */
async function startToFirstAnswer(env: Record<string, string>): Promise<{ ms: number; rssMb: number }> {
  const port = await freePort();
  const start = gateStart(); // as npm start runs it
  const started = performance.now();
  const child = spawn(process.execPath, [...start.nodeArgs, CLI, 'serve'], {
    env: {
      PATH: process.env.PATH!,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...start.env,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`gate exited ${child.exitCode}: ${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - started;
    await new Promise((r) => setTimeout(r, 5_000));
    return { ms, rssMb: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function gateStarts(env: Record<string, string>) {
  const runs = [];
  for (let i = 0; i < STARTS; i++) runs.push(await startToFirstAnswer(env));
  const ms = runs.map((r) => r.ms);
  return { median: median(ms), min: Math.min(...ms), max: Math.max(...ms), rssMb: median(runs.map((r) => r.rssMb)) };
}

async function main() {
  try {
    execFileSync('hyperfine', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('bench:startup needs hyperfine (Debian: apt-get install hyperfine)');
  }
  const loadBefore = load();

  // ---- CLI, against a gate on PostgreSQL with 200 tasks -------------------------------------------------
  const db = await createPostgresDatabase('reyestr_bench');
  const gate = await startGateProcess({
    DATABASE_URL: db.config.kind === 'postgres' ? db.config.url : '',
    ADMIN_API_KEY: KEY,
  });
  const body = JSON.stringify({
    query: 'mutation($t: [NewTaskInput!]!) { createTasks(input: { tasks: $t }) { id } }',
    variables: { t: Array.from({ length: 200 }, (_, i) => ({ searchParams: { CourtRegion: '11' }, priority: i % 7 })) },
  });
  await fetch(`${gate.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body,
  });
  const listQuery = join(tmpdir(), `reyestr-bench-list-${process.pid}.json`);
  writeFileSync(
    listQuery,
    JSON.stringify({
      query: '{ tasks(first: 50) { totalCount edges { node { id kind status priority createdAt searchParams } } } }',
    }),
  );
  let cli: HyperfineRow[];
  try {
    cli = hyperfine(
      [
        'node -e 0',
        `node ${CLI} --help`,
        `node ${CLI} tasks list`,
        `curl -s -o /dev/null -H content-type:application/json -H x-api-key:${KEY} --data @${listQuery} ${gate.url}/graphql`,
      ],
      { REYESTR_API_URL: gate.url, REYESTR_API_KEY: KEY },
    );
  } finally {
    await gate.stop();
    rmSync(listQuery, { force: true });
  }

  // ---- gate start to first answer ------------------------------------------------------------------------
  const postgres = await gateStarts({
    DATABASE_URL: db.config.kind === 'postgres' ? db.config.url : '',
    ADMIN_API_KEY: KEY,
  });
  await db.drop();
  const dataDir = mkdtempSync(join(tmpdir(), 'reyestr-bench-pglite-'));
  const fresh = await startToFirstAnswer({ DATA_DIR: dataDir, ADMIN_API_KEY: KEY }); // creates the data dir
  const pglite = await gateStarts({ DATA_DIR: dataDir, ADMIN_API_KEY: KEY });
  rmSync(dataDir, { recursive: true, force: true });
  const loadAfter = load();

  const s = (seconds: number) => `${seconds.toFixed(2)} s`;
  const names = [
    'bare `node -e 0`',
    '`reyestr --help`',
    '`reyestr tasks list` (50 of 200 tasks)',
    '`curl`, the same query',
  ];
  const goals = ['', '≤ 0.5 s', '≤ 1 s', ''];
  const cliRows = cli.map(
    (r, i) =>
      `| ${names[i]} | ${s(r.median)} | ${s(r.mean)} ± ${r.stddev.toFixed(2)} | ${s(r.min)} | ${Math.round((r.user + r.system) * 1000)} ms | ${goals[i]} |`,
  );
  const ms = (n: number) => `${(n / 1000).toFixed(2)} s`;
  const gateRows = [
    `| PostgreSQL (migrated database) | ${ms(postgres.median)} | ${ms(postgres.min)}–${ms(postgres.max)} | ${postgres.rssMb.toFixed(0)} MB | ≤ 2 s, ≤ 200 MB |`,
    `| PGlite, existing data dir | ${ms(pglite.median)} | ${ms(pglite.min)}–${ms(pglite.max)} | ${pglite.rssMb.toFixed(0)} MB | ≤ 4 s |`,
    `| PGlite, new data dir (initdb), once | ${ms(fresh.ms)} | | ${fresh.rssMb.toFixed(0)} MB | |`,
  ];
  const section = `
Command: \`npm run bench:startup\` (hyperfine ${RUNS} runs after 3 warm-ups; ${STARTS} gate starts each). Machine: ${machine()};
load average (1/5/15 min) ${loadBefore} before, ${loadAfter} after — wall times on a shared box grow with the load,
CPU time (user + sys) much less.

| command | median | mean ± σ | min | CPU (user+sys) | goal |
|---|---|---|---|---|---|
${cliRows.join('\n')}

Gate: spawn of \`reyestr serve\` (the compiled build) to its first \`GET /health\` → 200; RSS 5 s after that, idle.

| storage | start to first answer (median) | min–max | RSS idle | goal |
|---|---|---|---|---|
${gateRows.join('\n')}
`;
  console.log(section);
  if (WRITE) writeSection('Start-up and CLI (`npm run bench:startup`)', section);
}

await main();
