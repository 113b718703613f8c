// The gate as a user starts it: a real process, configured by the environment or a .env file.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, pgliteDataDir } from '../support/databases.ts';

const CLI = resolve('bin/reyestr.mjs');
const running: ChildProcess[] = [];
afterAll(() => {
  for (const p of running) p.kill('SIGKILL');
});

/** Runs `reyestr serve` in `cwd` (as another user when `asUser` is given and we are root). */
function runGate(env: Record<string, string>, cwd: string, asUser?: string) {
  const fullEnv = { PATH: process.env.PATH!, LOG_LEVEL: 'warn', API_HOST: '127.0.0.1', API_PORT: '0', ...env };
  const child = asUser
    ? spawn(
        'runuser',
        [
          '-u',
          asUser,
          '--',
          'env',
          ...Object.entries(fullEnv).map(([k, v]) => `${k}=${v}`),
          process.execPath,
          CLI,
          'serve',
        ],
        { cwd, env: { PATH: fullEnv.PATH } },
      )
    : spawn(process.execPath, [CLI, 'serve'], { cwd, env: fullEnv });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // 'close', not 'exit': the pipes may still hold the last lines (the refusal a test reads) when the process has exited
  const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
  const started = new Promise<string>((resolveUrl, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m && /GraphiQL/.test(stdout)) {
        clearInterval(timer);
        resolveUrl(m[1]);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`gate exited with ${code}: ${stderr}`));
    });
  });
  started.catch(() => {});
  return { child, started, exited, out: () => stdout, err: () => stderr, stop: () => (child.kill('SIGTERM'), exited) };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'reyestr-start-'));
/**
 * For the address errors: a DATA_DIR the gate cannot even create, so these tests also prove the address is tried
 * before the database is opened (opening it first would end with the DATA_DIR error instead) — and no data
 * directory is copied for a gate that never opens one (a 40 MB template copy took 1 s of CPU and up to 30 s of
 * disk waits at load 40).
 */
const UNOPENABLE_DATA_DIR = '/proc/reyestr-data';
const adminKeyIn = (stdout: string) => /shown only this once.*\n\n\s+(rk_\S+)/s.exec(stdout)?.[1];

describe('starting the gate', () => {
  it('fails with one clear line and a non-zero exit on a bad port', async () => {
    const gate = runGate({ API_PORT: 'eighty' }, tempDir());
    expect(await gate.exited).not.toBe(0);
    expect(gate.err().trim()).toBe(
      'reyestr: invalid configuration: API_PORT: Invalid input: expected number, received NaN',
    );
  });

  it('fails with one clear line when the database is unreachable', async () => {
    const gate = runGate({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere' }, tempDir());
    expect(await gate.exited).not.toBe(0);
    const lines = gate.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^reyestr: cannot start the gate \(postgresql:\/\/postgres@127\.0\.0\.1:1\/nowhere\): .*refused/,
    );
  });

  it('reads the older DB_* names from .env, prints the first admin key once, serves GraphiQL offline', async () => {
    const db = await createPostgresDatabase();
    const cwd = tempDir();
    const url = new URL(db.config.kind === 'postgres' ? db.config.url : '');
    writeFileSync(
      join(cwd, '.env'),
      `DB_HOST=127.0.0.1\nDB_PORT=5432\nDB_NAME=${url.pathname.slice(1)}\nDB_USER=postgres\n`,
    );
    try {
      const first = runGate({}, cwd);
      const base = await first.started;
      const key = adminKeyIn(first.out());
      expect(key).toMatch(/^rk_[\w-]{43}$/);
      const me = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key! },
        body: JSON.stringify({ query: '{ me { role } }' }),
      });
      expect((await me.json()).data.me.role).toBe('ADMIN');
      const page = await (await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } })).text();
      expect(page).toContain('GraphiQL');
      // Works with no internet: every asset comes from the gate itself, as files of their own (cacheable and
      // compressed; test/hardening/graphiql.test.ts renders the page in Chromium).
      const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) {
        expect(asset).toMatch(/^\/graphql\//);
        const res = await fetch(`${base}${asset}`);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      expect(await first.stop()).toBe(0);

      const second = runGate({}, cwd);
      await second.started;
      expect(adminKeyIn(second.out())).toBeUndefined();
      await second.stop();
    } finally {
      await db.drop();
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  // DATA_DIR (relative, so resolved against the folder the gate starts in) holds a copy of the migrated template:
  // a new folder's initdb in WASM is proven by test/readme/demo.test.ts (`npm run demo` starts on a fresh one),
  // and running it here as well cost a minute or more of this test on a loaded 2-core box.
  it('runs on embedded PGlite in DATA_DIR by default and keeps its data across restarts', async () => {
    const cwd = tempDir();
    renameSync(pgliteDataDir(), join(cwd, 'store'));
    try {
      const first = runGate({ ENABLE_AUTH: 'false', DATA_DIR: 'store' }, cwd);
      const base = await first.started;
      expect(first.out()).toContain(`embedded PostgreSQL in ${join(cwd, 'store')}`);
      const create = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation { createTask(input: { searchParams: { CourtRegion: "11" } }) { id } }',
        }),
      });
      const id = (await create.json()).data.createTask.id;
      expect(await first.stop()).toBe(0);
      const second = runGate({ ENABLE_AUTH: 'false', DATA_DIR: 'store' }, cwd);
      const again = await second.started;
      const read = await fetch(`${again}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ task(id: "${id}") { status } }` }),
      });
      expect((await read.json()).data.task.status).toBe('PENDING');
      await second.stop();
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('makes a new DATA_DIR in a child process: the gate itself never runs initdb', async () => {
    const cwd = tempDir();
    try {
      const gate = runGate({ ENABLE_AUTH: 'false', DATA_DIR: 'fresh' }, cwd);
      const base = await gate.started;
      expect(existsSync(join(cwd, 'fresh', 'PG_VERSION'))).toBe(true);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      // initdb in the gate's own process took its peak to ~730 MB (and left ~630 MB resident); a gate that opens an
      // existing data dir peaks near 300 MB (docs/benchmarks.md, issue 16)
      const status = readFileSync(`/proc/${gate.child.pid}/status`, 'utf8');
      expect(Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024).toBeLessThan(500);
      expect(await gate.stop()).toBe(0);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('start-up errors: one `reyestr: …` line, exit 1, no stack trace', () => {
  const failsWithOneLine = async (gate: ReturnType<typeof runGate>, pattern: RegExp) => {
    expect(await gate.exited).toBe(1);
    const lines = gate.err().trim().split('\n');
    expect(lines, gate.err()).toHaveLength(1);
    expect(lines[0]).toMatch(/^reyestr: /);
    expect(lines[0]).toMatch(pattern);
    expect(gate.err() + gate.out()).not.toMatch(/\n\s+at |Internal error|\[object Object\]/);
  };

  it('a port in use', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (taken.address() as AddressInfo).port;
      const gate = runGate({ ENABLE_AUTH: 'false', DATA_DIR: UNOPENABLE_DATA_DIR, API_PORT: String(port) }, tempDir());
      await failsWithOneLine(gate, new RegExp(`port ${port} is already in use \\(API_PORT\\)`));
    } finally {
      taken.close();
    }
  });

  it('an address that is not on this machine', async () => {
    // 192.0.2.0/24 is TEST-NET-1: documentation only, never a local address
    const gate = runGate({ ENABLE_AUTH: 'false', DATA_DIR: UNOPENABLE_DATA_DIR, API_HOST: '192.0.2.1' }, tempDir());
    await failsWithOneLine(gate, /192\.0\.2\.1 is not an address of this machine \(API_HOST\)/);
  });

  it('a host name that does not resolve', async () => {
    // .invalid never resolves (RFC 2606); without a network the lookup fails at once all the same
    const gate = runGate(
      { ENABLE_AUTH: 'false', DATA_DIR: UNOPENABLE_DATA_DIR, API_HOST: 'no-such-gate.invalid' },
      tempDir(),
    );
    await failsWithOneLine(gate, /cannot resolve the host name no-such-gate\.invalid/);
  });

  it('DATA_DIR where nothing can be created (/proc) ends at once instead of spinning', async () => {
    const gate = runGate({ ENABLE_AUTH: 'false', DATA_DIR: '/proc/reyestr-data' }, tempDir());
    await failsWithOneLine(gate, /DATA_DIR \/proc\/reyestr-data: cannot create/);
  });

  it('a DATA_DIR the gate may not write', async () => {
    const cwd = tempDir();
    const locked = join(cwd, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(cwd, 0o755);
    try {
      // root may write anywhere: run the gate as `nobody` then, which may not
      const asRoot = process.getuid?.() === 0;
      const gate = runGate(
        { ENABLE_AUTH: 'false', DATA_DIR: join(locked, 'data') },
        cwd,
        asRoot ? 'nobody' : undefined,
      );
      await failsWithOneLine(
        gate,
        new RegExp(`DATA_DIR ${locked}/data: cannot create ${locked}/data: permission denied`),
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
