// The CLI in ordinary shell use: the short ids it shows are accepted back (unique prefixes; "ambiguous" when
// two match), long lists come in pages (--limit, --after, --all), `| head` does not crash it (EPIPE), errors say
// what to do next, and `tasks watch` fits an 80×24 terminal.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../client/commands/tasks-watch.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { cliFor, expectErrorLine, type Run, visible } from './cli-support.ts';

let t: TestGate;
let sql: pg.Client;
beforeAll(async () => {
  t = await startTestGate('postgres');
  if (t.db.config.kind !== 'postgres') throw new Error('needs PostgreSQL');
  sql = new pg.Client({ connectionString: t.db.config.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await t?.stop();
});

const { start, cli, cliJson } = cliFor(() => t.url);

/** A loopback port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('short ids', () => {
  const first = 'abcd0000-0000-4000-8000-000000000001';
  const second = 'abcd0000-1111-4000-8000-000000000002';

  it('accepts a unique prefix of an id, and says "ambiguous" when two ids start with it', async () => {
    await sql.query(`INSERT INTO tasks (id, search_params) VALUES ($1, '{"CourtRegion":["11"]}'), ($2, '{}')`, [
      first,
      second,
    ]);
    const [got, ambiguous, cancelled, none, byParent] = await Promise.all([
      cliJson('tasks', 'get', 'abcd0000-0'),
      cli(['tasks', 'get', 'abcd0000']),
      cli(['tasks', 'cancel', 'ABCD00001']),
      cli(['tasks', 'get', 'fedc']),
      cli(['tasks', 'list', '--parent', 'abcd0000']),
    ]);
    expect(got).toMatchObject({ id: first, searchParams: { CourtRegion: ['11'] } });
    expectErrorLine(
      ambiguous,
      2,
      /task id abcd0000 is ambiguous: 2 ids start with it \(abcd0000-0000-4000-8000-000000000001, abcd0000-1111-4000-8000-000000000002\); give more characters/,
    );
    expect(cancelled).toMatchObject({ code: 0, stdout: `${second} CANCELLED\n`, stderr: '' });
    expectErrorLine(none, 3, /no task id starts with fedc/);
    expectErrorLine(byParent, 2, /ambiguous/);
  });

  it('keys, plans and documents take prefixes too; the gate checks the prefix and who asks', async () => {
    const created = await cliJson('keys', 'create', '--name', 'short-id', '--role', 'worker');
    const revoked = await cliJson('keys', 'revoke', created.apiKey.id.slice(0, 8));
    expect(revoked).toMatchObject({ id: created.apiKey.id, revokedAt: expect.any(String) });

    const bad = await t.gql(`{ idsByPrefix(kind: TASK, prefix: "xyz!") }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const worker = await cliJson('keys', 'create', '--name', 'short-id-worker', '--role', 'worker');
    const forbidden = await t.gql(`{ idsByPrefix(kind: API_KEY, prefix: "abcd") }`, {}, worker.key);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await t.ok(`{ idsByPrefix(kind: TASK, prefix: "abcd0000") }`)).toEqual({ idsByPrefix: [first, second] });
  });
});

describe('long lists', () => {
  const TASKS = 620;

  beforeAll(async () => {
    await sql.query(
      `INSERT INTO tasks (search_params) SELECT '{"CourtRegion":["27"]}' FROM generate_series(1, ${TASKS})`,
    );
  });

  it('prints a page with the cursor of the next; --after continues; --limit and --all cross the 500-row page', async () => {
    const page = await cli(['tasks', 'list', '-p', 'CourtRegion=27', '--limit', '2']);
    expect(page.code).toBe(0);
    const hint = new RegExp(`^2 of ${TASKS} task\\(s\\); next page: --after (\\S+) \\(every row: --all\\)$`, 'm');
    expect(page.stdout).toMatch(hint);
    const cursor = hint.exec(page.stdout)![1];
    const firstIds = page.stdout
      .split('\n')
      .slice(1, 3)
      .map((line) => line.split(/\s+/)[0]);

    const [next, limited, all, allText] = await Promise.all([
      cliJson('tasks', 'list', '-p', 'CourtRegion=27', '--limit', '2', '--after', cursor),
      cliJson('tasks', 'list', '-p', 'CourtRegion=27', '--limit', '600'),
      cliJson('tasks', 'list', '-p', 'CourtRegion=27', '--all'),
      cli(['tasks', 'list', '-p', 'CourtRegion=27', '--all']),
    ]);
    expect(next.tasks).toHaveLength(2);
    expect(next.tasks.map((x: { id: string }) => x.id)).not.toEqual(expect.arrayContaining(firstIds));
    expect(next.nextCursor).toEqual(expect.any(String));
    expect(limited.tasks).toHaveLength(600);
    expect(all).toMatchObject({ totalCount: TASKS, nextCursor: null });
    expect(new Set(all.tasks.map((x: { id: string }) => x.id)).size).toBe(TASKS);
    expect(all.tasks.slice(0, 2).map((x: { id: string }) => x.id)).toEqual(firstIds);
    expect(allText.stdout.trimEnd().split('\n')).toHaveLength(TASKS + 2); // header, rows, summary
    expect(allText.stdout.trimEnd().endsWith(`${TASKS} of ${TASKS} task(s)`)).toBe(true);
  });

  it('`| head`: when the reader goes away it stops quietly (EPIPE), exit 0, nothing on stderr', async () => {
    const run = start(['tasks', 'list', '-p', 'CourtRegion=27', '--all', '--json']);
    // Like `head -c 1`: read a little, then close the pipe while the command still has most of its rows to write.
    run.child.stdout.once('data', () => run.child.stdout.destroy());
    const r = await run.exited;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('errors that say what to do next', () => {
  it('a missing key: how to pass one and how to get one; no internal operation names', async () => {
    const r = await cli(['tasks', 'list'], { REYESTR_API_KEY: '' });
    expectErrorLine(
      r,
      5,
      /API key required: pass one with --api-key <key> or REYESTR_API_KEY=<key>; an admin creates keys with `reyestr keys create --name <what-for> --role worker`/,
    );
    expect(r.stderr).not.toMatch(/Operator[A-Z]/);
  });

  it('an unreachable gate: the address that was tried, for commands and for a worker', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    for (const command of [['stats'], ['tasks', 'list']])
      expectErrorLine(
        await cli(command, { REYESTR_API_URL: url }),
        4,
        new RegExp(`gate unreachable at ${url}/graphql: connection refused \\(tried 127\\.0\\.0\\.1:${port}\\)`),
      );
    const outputDir = mkdtempSync(join(tmpdir(), 'reyestr-unreachable-'));
    const worker = start(['worker', '--output-dir', outputDir, '--progress', 'lines'], { REYESTR_API_URL: url });
    const said = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = worker.run.stderr.split('\n').find((l) => l.includes('gate unreachable'));
        if (line) resolve(line);
      };
      worker.child.stderr.on('data', check);
      worker.exited.then(() => reject(new Error(`worker exited: ${worker.run.stderr}`)));
    });
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    rmSync(outputDir, { recursive: true, force: true });
    expect(said).toMatch(
      new RegExp(
        `WARN  gate unreachable at ${url}/graphql: connection refused \\(tried 127\\.0\\.0\\.1:${port}\\); trying again every`,
      ),
    );
    expect(said).not.toMatch(/Worker[A-Z][a-zA-Z]+:/);
  });

  it('an unreachable registry: `registry search` says the address it tried and what to check, after one quick retry', async () => {
    const port = await closedPort();
    const r = await cli(['registry', 'search', '-p', 'CourtRegion=11', '--registry-url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `error [NETWORK] GET http://127.0.0.1:${port}/ failed: connection refused (tried 127.0.0.1:${port}); check the address (--registry-url) and the network`,
    ]);
  });

  it('a worker without a key says how to get one and exits 5 (key missing or refused, as every command)', async () => {
    const outputDir = mkdtempSync(join(tmpdir(), 'reyestr-no-key-'));
    const r = await cli(['worker', '--output-dir', outputDir, '--progress', 'lines'], { REYESTR_API_KEY: '' });
    rmSync(outputDir, { recursive: true, force: true });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /the gate refused to register this worker: API key required: pass one with --api-key <key> or REYESTR_API_KEY=<key>/,
    );
    expect(r.stderr).not.toMatch(/WorkerRegisterClient/);
  });
});

describe('tasks watch on an 80-column terminal', () => {
  const running = (n: number, worker: string) => ({
    id: `3f2a9c${String(n).padStart(2, '0')}-0000-4000-8000-000000000000`,
    kind: 'DOWNLOAD' as const,
    status: 'RUNNING' as const,
    documentsDownloaded: 50 + n,
    totalExpected: 1000,
    maxDocuments: 1000,
    startedAt: '2026-01-01T12:00:00Z',
    updatedAt: '2026-01-01T12:09:00Z',
    leaseHolder: { name: worker },
  });

  it('fits every line to the width and the rows to the height; rate and ETA always stay', () => {
    const now = Date.parse('2026-01-01T12:10:00Z');
    const rows = Array.from({ length: 40 }, (_, n) => running(n, `worker-with-a-long-name-${n}`));
    for (const columns of [120, 100, 80, 60, 50]) {
      const lines = renderTable(rows, 30, now, { columns, rows: 24 }).trimEnd().split('\n');
      for (const line of lines) expect(line.length, `${columns} columns: ${line}`).toBeLessThanOrEqual(columns);
      expect(lines[2]).toMatch(/^TASK +STATUS|^TASK +KIND +STATUS/);
      expect(lines[2]).toMatch(/RATE\/MIN ETA$/);
      expect(lines[3]).toMatch(/^3f2a9c00 (DOWNLOAD +)?RUNNING .* 5\.0 +3h10m$/);
      expect(lines).toHaveLength(3 + 19 + 1); // title, blank, header; 24 - 5 rows; "… and n more"
      expect(lines.at(-1)).toBe('… and 21 more');
    }
  });

  it.skipIf(!existsSync('/usr/bin/script'))('on a pseudo-terminal of 80×24 every line fits', async () => {
    const child = spawn(
      '/usr/bin/script',
      ['-qfec', 'stty cols 80 rows 24; exec node bin/reyestr.mjs tasks watch --count 2', '/dev/null'],
      {
        env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const run: Run = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (chunk) => (run.stdout += chunk));
    const exited = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ ...run, code })));
    let finished = false;
    void exited.then(() => (finished = true));
    // Tasks until the watcher has seen two events (its subscription needs a moment to start).
    for (let i = 0; i < 100 && !finished; i++) {
      await t.ok(`mutation { createTask(input: { searchParams: { CourtRegion: "26" } }) { id } }`);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 150))]);
    }
    const r = await exited;
    expect(r.code).toBe(0);
    const lines = visible(r.stdout).split(/\r?\n/);
    expect(lines.some((line) => /^TASK +STATUS +WORKER +PROGRESS .*RATE\/MIN ETA$/.test(line))).toBe(true);
    expect(lines.some((line) => /^[0-9a-f]{8} PENDING /.test(line))).toBe(true);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});
