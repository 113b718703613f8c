// A gate as its own OS process (`reyestr serve`), for tests that kill, restart or run several gates.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { safetyNet } from './deadlines.ts';

export interface GateProcess {
  child: ChildProcess;
  url: string;
  /** stdout lines so far (JSON log lines and the start banner) */
  lines(): string[];
  /** stderr so far (Node's warnings, a crash's stack) */
  stderr(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const CLI = resolve('bin/reyestr.mjs');

/** Gate processes still running, so an interrupted run can kill them on its way out. */
const running = new Set<ChildProcess>();

/** SIGKILLs every gate process this process started that is still running (synchronous). */
export function killAllGateProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

// The deadline is a safety net for a hung gate, not a measure: one that fails exits and is seen at once, and on a
// loaded 2-core box (CI, or a load of 25 while helpers work) a healthy start took over 30 s.
/**
 * `nodeArgs`: options for node itself (e.g. --cpu-prof, which NODE_OPTIONS does not take). `checkout`: another
 * checkout of the project whose gate to run (benches comparing two checkouts); this one by default.
 */
export async function startGateProcess(
  env: Record<string, string>,
  timeoutMs = 120_000,
  nodeArgs: string[] = [],
  checkout?: string,
): Promise<GateProcess> {
  const cli = checkout ? resolve(checkout, 'bin/reyestr.mjs') : CLI;
  const child = spawn(process.execPath, [...nodeArgs, cli, 'serve'], {
    ...(checkout ? { cwd: resolve(checkout) } : {}),
    env: { PATH: process.env.PATH!, API_HOST: '127.0.0.1', API_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  running.add(child);
  // 'close' comes after 'exit' once the pipes are drained: a line printed just before the exit is read by then
  let outputClosed = false;
  child.on('close', () => (outputClosed = true));
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      running.delete(child);
      r(code);
    }),
  );
  const waitFor = (pattern: RegExp, asked = timeoutMs) =>
    new Promise<string>((ok, fail) => {
      const ms = safetyNet(asked);
      const started = Date.now();
      const timer = setInterval(() => {
        const m = pattern.exec(out);
        if (m) {
          clearInterval(timer);
          ok(m[1] ?? m[0]);
        } else if (Date.now() - started > ms || outputClosed) {
          clearInterval(timer);
          fail(new Error(`gate: no ${pattern} within ${ms} ms (exit ${child.exitCode}); stderr: ${err.slice(-500)}`));
        }
      }, 25);
    });
  const url = await waitFor(/listening on (http:\/\/\S+)/);
  return {
    child,
    url,
    lines: () => out.split('\n'),
    stderr: () => err,
    waitFor,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
