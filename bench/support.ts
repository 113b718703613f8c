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

/** The node options `npm start` gives the gate (package.json), so a bench's gate runs as a deployed one does. */
const START_NODE_ARGS = (() => {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const args = /^node ((?:--\S+ )*)bin\/reyestr\.mjs serve$/.exec(start);
  if (!args) throw new Error(`package.json: "start" is not "node [--options] bin/reyestr.mjs serve": ${start}`);
  return args[1].split(' ').filter(Boolean);
})();

/**
 * Starts `reyestr serve` as its own process, as `npm start` does in production (its node options too), logging
 * warnings only so logs cost nothing. BENCH_GATE_NODE_ARGS (space-separated) go to node as well, e.g.
 * '--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the gate during a bench (written when the gate stops).
 */
// A new PGlite data dir starts with initdb and every migration: tens of seconds on a loaded machine.
export const startGateProcess = (env: Record<string, string>, timeoutMs = 180_000) =>
  startGateProcessForTests({ LOG_LEVEL: 'warn', ...env }, timeoutMs, [
    ...START_NODE_ARGS,
    ...(process.env.BENCH_GATE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  ]);

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
