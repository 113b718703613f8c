// Running the CLI as people do: `node bin/reyestr.mjs …` as a child process against a test gate, output
// collected; plus the checks every CLI test makes of an error (one line on stderr, the exit code).
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { ADMIN_KEY } from '../support/gate.ts';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI bound to one gate: `start` (the child and its output so far), `cli` (its result), `cliJson`. */
export function cliFor(gateUrl: () => string) {
  const start = (args: string[], env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, ['bin/reyestr.mjs', ...args], {
      env: { ...process.env, REYESTR_API_URL: gateUrl(), REYESTR_API_KEY: ADMIN_KEY, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (chunk) => (run.stdout += chunk));
    child.stderr.on('data', (chunk) => (run.stderr += chunk));
    const exited = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ ...run, code })));
    return { child, run, exited };
  };
  const cli = (args: string[], env?: Record<string, string>) => start(args, env).exited;
  const cliJson = async <T = any>(...args: string[]): Promise<T> => {
    const r = await cli([...args, '--json']);
    expect(r.stderr, `stderr of ${args.join(' ')}`).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  return { start, cli, cliJson };
}

/** One readable line on stderr, prefixed with the program name. */
export function expectErrorLine(r: Run, code: number, pattern: RegExp) {
  expect(r.code).toBe(code);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^reyestr: /);
  expect(r.stderr).toMatch(pattern);
}

/** Text as a terminal shows it: escape sequences (colours, cursor moves) removed. */
export const visible = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are what this removes
  text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]/g, '');
