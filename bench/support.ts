// Shared by the benchmarks: the machine description, percentiles, and updating one section of
// docs/benchmarks.md without touching the others.
import { cpus } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { startGateProcess as startGateProcessForTests } from '../test/support/gate-process.ts';

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
export function gateStart(): { env: Record<string, string>; nodeArgs: string[] } {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
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
export const startGateProcess = (env: Record<string, string>, timeoutMs = 180_000) => {
  const start = gateStart();
  return startGateProcessForTests({ LOG_LEVEL: 'warn', ...start.env, ...env }, timeoutMs, [
    ...start.nodeArgs,
    ...(process.env.BENCH_GATE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  ]);
};

/** Peak resident memory of a process so far (VmHWM), in MB (Linux). */
export const peakRssMb = (pid: number) =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Resident memory of a process now, in MB (Linux). */
export const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

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
