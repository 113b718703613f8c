// The gate's terminal: readable lines on a TTY (pino-pretty), JSON lines anywhere else; LOG_FORMAT decides
// explicitly.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { wantsPrettyLogs } from '../../server/observability/logger.ts';
import { pgliteDataDir } from '../support/databases.ts';
import { eventually } from '../worker/support.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
const dataDir = () => {
  const dir = pgliteDataDir();
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it('pretty on a terminal unless LOG_FORMAT=json; JSON elsewhere unless LOG_FORMAT=pretty', () => {
  expect(wantsPrettyLogs({}, true)).toBe(true);
  expect(wantsPrettyLogs({}, false)).toBe(false);
  expect(wantsPrettyLogs({ LOG_FORMAT: 'json' }, true)).toBe(false);
  expect(wantsPrettyLogs({ LOG_FORMAT: 'pretty' }, false)).toBe(true);
});

// A terminal is what LOG_FORMAT=pretty stands for here (wantsPrettyLogs above decides from isTTY the same way);
// pipes getting JSON is what every other gate-process test reads.
it('on a terminal the gate prints readable lines: time, level, message, fields', async () => {
  const env = { PATH: process.env.PATH!, DATA_DIR: dataDir(), API_HOST: '127.0.0.1', API_PORT: '0', NO_COLOR: '1' };
  const gate = spawn(process.execPath, ['bin/reyestr.mjs', 'serve'], { env: { ...env, LOG_FORMAT: 'pretty' } });
  children.push(gate);
  let out = '';
  gate.stdout!.on('data', (chunk) => (out += chunk));
  await eventually(() => /INFO: gate started.*\n/.test(out), 120_000, 'the gate to start');
  expect(out).toMatch(/\[\d\d:\d\d:\d\d\] INFO: gate started \{"url":"http:\/\/127\.0\.0\.1:\d+"/);
  expect(out).not.toMatch(/^\{"level"/m);
});
