// Shared by the benchmarks: the machine description, percentiles, and updating one section of
// docs/benchmarks.md without touching the others.
import { cpus } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function machine(): string {
  return `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))];
}

/** Replaces (or appends) the section that starts with `## <title>` in docs/benchmarks.md. */
export function writeSection(title: string, body: string, file = 'docs/benchmarks.md') {
  const header = `## ${title}`;
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEach section is rewritten by its own `npm run bench:…` command.\n';
  const start = doc.indexOf(header);
  const section = `${header}\n\n${body.trim()}\n`;
  if (start === -1) doc = `${doc.trimEnd()}\n\n${section}`;
  else {
    const next = doc.indexOf('\n## ', start + header.length);
    doc = `${doc.slice(0, start)}${section}${next === -1 ? '' : `\n${doc.slice(next + 1)}`}`;
  }
  writeFileSync(file, doc);
}

/** Starts `reyestr serve` as its own process (as in production); resolves with its URL and a stop function. */
export async function startGateProcess(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { resolve } = await import('node:path');
  const child = spawn(process.execPath, [resolve('bin/reyestr.mjs'), 'serve'], {
    env: { ...process.env, API_HOST: '127.0.0.1', API_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`gate exited with ${code}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
