// One gate per embedded data directory: a second gate on the same PGlite directory refuses at once, in one line
// naming the directory and the holder's pid, and the first keeps its data; after the holder is killed (kill -9) its
// lock is stale and the next gate clears it and starts, with the data intact.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from '../../server/db/data-dir-lock.ts';
import { pgliteDataDir } from '../support/databases.ts';
import { startGateProcess, type GateProcess } from '../support/gate-process.ts';

const CLI = resolve('bin/reyestr.mjs');
const ADMIN_API_KEY = 'data-dir-lock-admin-key-0123456789';
const dirs: string[] = [];
const gates: GateProcess[] = [];
afterAll(async () => {
  for (const gate of gates) await gate.stop('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
/** A migrated PGlite data directory (a copy of the tests' template): the gates here start without initdb. */
const tempDir = () => {
  const dir = pgliteDataDir();
  dirs.push(dir);
  return dir;
};
const env = (dataDir: string) => ({ DATA_DIR: dataDir, ADMIN_API_KEY, LOG_LEVEL: 'warn' });

/** A gate that is expected not to start: its exit code and stderr. */
function refusedGate(dataDir: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { PATH: process.env.PATH!, API_HOST: '127.0.0.1', API_PORT: '0', ...env(dataDir) },
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => (stdout += d));
  // 'close', not 'exit': the pipes may still hold the last lines when the process has exited (Node's docs)
  return new Promise((done) => child.on('close', (code) => done({ code, stderr, stdout })));
}

async function createTask(gate: GateProcess, region: string): Promise<string> {
  const response = await fetch(`${gate.url}/api/v1/tasks/create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_API_KEY },
    body: JSON.stringify({ search_params: { CourtRegion: region }, max_documents: 5 }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { task_id: string }).task_id;
}

const taskCount = async (gate: GateProcess) =>
  (
    (await (await fetch(`${gate.url}/api/v1/tasks/status`, { headers: { 'x-api-key': ADMIN_API_KEY } })).json()) as {
      total_tasks: number;
    }
  ).total_tasks;

describe('one gate per PGlite data directory', () => {
  it('a second gate on the same directory refuses at once in one line; after kill -9 the stale lock is cleared', async () => {
    const dataDir = tempDir();
    const first = await startGateProcess(env(dataDir));
    gates.push(first);
    const taskId = await createTask(first, '11');

    const second = await refusedGate(dataDir);
    expect(second.code).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `reyestr: cannot start the gate (embedded PostgreSQL in ${dataDir}): the data directory ${dataDir} is in use by another gate (pid ${first.child.pid}); stop that gate or give this one another DATA_DIR`,
    );
    expect(second.stdout).not.toMatch(/listening on/);
    // The first gate was not disturbed.
    expect(await taskCount(first)).toBe(1);

    // Killed outright, it leaves its lock behind; the next gate finds no such process, clears it and starts.
    first.child.kill('SIGKILL');
    await first.stop();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
    const next = await startGateProcess(env(dataDir));
    gates.push(next);
    expect(await taskCount(next)).toBe(1);
    const task = await fetch(`${next.url}/api/v1/tasks/${taskId}`, { headers: { 'x-api-key': ADMIN_API_KEY } });
    expect(task.status).toBe(200);
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: next.child.pid });
    // A clean stop releases it.
    expect(await next.stop('SIGTERM')).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('the lock itself: a live holder is named, a dead one or a garbled file is cleared, one process cannot take it twice', () => {
    const dir = tempDir();
    const path = join(dir, LOCK_FILE);
    // The parent of this test process is alive: its lock holds.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), started: null }));
    expect(() => lockDataDir(dir)).toThrow(
      new DataDirInUseError(
        `the data directory ${dir} is in use by another gate (pid ${process.ppid}); stop that gate or give this one another DATA_DIR`,
      ),
    );
    // A pid that runs, but is not the process that took the lock (its start time differs): stale.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), started: '1' }));
    lockDataDir(dir).release();
    // Another host: cannot be checked from here, never cleared automatically.
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'elsewhere', started: null }));
    expect(() => lockDataDir(dir)).toThrow(
      /in use by another gate \(pid 1 on host elsewhere\).*delete .*reyestr-gate\.lock/,
    );
    for (const stale of [JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), started: null }), 'garbled']) {
      writeFileSync(path, stale);
      const lock = lockDataDir(dir);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
      expect(() => lockDataDir(dir)).toThrow(`the data directory ${dir} is already open in this process`);
      lock.release();
      expect(existsSync(path)).toBe(false);
    }
  });
});
