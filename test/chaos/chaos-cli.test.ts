// `npm run chaos` as a user runs it: --help prints usage and starts nothing; Ctrl-C in the middle of a run
// leaves no PostgreSQL (nor its files) behind.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresBinDir } from '../support/pg-cluster.ts';

const SCRIPT = resolve('bench/chaos.ts');
// Its own TMPDIR, so what the run creates (and leaves) is told apart from other tests' clusters.
const privateTmp = mkdtempSync(join(tmpdir(), 'reyestr-chaos-cli-'));
chmodSync(privateTmp, 0o755); // the cluster may belong to the `postgres` user (tests run as root)
afterAll(() => rmSync(privateTmp, { recursive: true, force: true }));

function runChaos(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    env: { PATH: process.env.PATH!, TMPDIR: privateTmp, CHAOS_RUNS: '1', CHAOS_TASKS: '4' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return { child, exited, out: () => out };
}

const clusterDirs = () => readdirSync(privateTmp).filter((name) => name.startsWith('reyestr-pg-'));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process, but there
  }
};

describe('npm run chaos (the command)', () => {
  it('--help prints usage and starts nothing', async () => {
    const run = runChaos(['--help']);
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.out()).toMatch(/^Usage: npm run chaos/);
    expect(run.out()).toContain('PostgreSQL down again and again under load');
    expect(clusterDirs()).toEqual([]);
  });

  it.skipIf(postgresBinDir() === null)(
    'Ctrl-C in the middle of a run stops its PostgreSQL and removes its files',
    async () => {
      const run = runChaos(['--only', 'kill -9 a worker']);
      // Wait for the run's PostgreSQL to be up (its postmaster.pid names the server process).
      let postmaster = 0;
      while (!postmaster) {
        if (run.child.exitCode !== null) throw new Error(`chaos ended before PostgreSQL started:\n${run.out()}`);
        const pidFile = clusterDirs()
          .map((dir) => join(privateTmp, dir, 'data', 'postmaster.pid'))
          .find((file) => existsSync(file));
        // (initdb's bootstrap writes one too: wait for the server's, whose status line says "ready")
        const lines = pidFile ? readFileSync(pidFile, 'utf8').split('\n') : [];
        if (lines[7]?.trim() === 'ready') postmaster = Number(lines[0]);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(alive(postmaster)).toBe(true);
      run.child.kill('SIGINT');
      expect((await run.exited).code).toBe(130);
      expect(run.out()).toContain('SIGINT: stopping and cleaning up');
      // pg_ctl has stopped it; the process may take a moment to be gone from the process table
      for (let i = 0; i < 300 && alive(postmaster); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive(postmaster)).toBe(false);
      expect(clusterDirs()).toEqual([]);
    },
  );
});
