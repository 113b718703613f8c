/**
 * `npm run bench:registry`: decision pages/s fetched and parsed by the registry library from the fake
 * registry (politeness off) against a bare fetch loop in the same run (target ≥ 50%), the rate
 * achieved under a fixed rate budget (target ≥ 95%), and parser time per page kind. Writes its own
 * section of docs/benchmarks.md (other sections are left alone).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { parsePage } from '../client/registry/parsers/index.ts';
import { NO_POLITENESS } from '../client/registry/politeness.ts';
import { RegistrySession } from '../client/registry/session.ts';
import { FIXTURE_DOCUMENT_IDS, readFixture } from '../test/fake-registry/fixtures.ts';
import type { Faults } from '../test/fake-registry/index.ts';
import { writeSection } from './support.ts';

const PAGES = Number(process.env.BENCH_PAGES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const BUDGET_PER_SECOND = Number(process.env.BENCH_BUDGET ?? 20);
const BUDGET_SECONDS = Number(process.env.BENCH_BUDGET_SECONDS ?? 5);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);

/** Generated decisions, with the real fixture decisions mixed in (1 in 10). */
const documentIds = Array.from({ length: PAGES }, (_, i) =>
  i % 10 === 0 ? FIXTURE_DOCUMENT_IDS[(i / 10) % 4] : String(150_000_000 + i * 7),
);

/** Runs `task` over the ids with `concurrency` workers; returns pages/s. */
async function throughput(
  ids: string[],
  concurrency: number,
  task: (id: string) => Promise<unknown>,
): Promise<{ perSecond: number; seconds: number }> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) await task(ids[next++]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: ids.length / seconds, seconds };
}

/**
 * The fake registry in a process of its own, as the real one is remote: serving pages then does not take
 * turns with the fetch loop and the parser on this process's one JS thread.
 */
async function fakeRegistryProcess(faults: Faults = {}): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fake-registry/main.ts', '--port', '0'], {
    env: { ...process.env, FAKE_REGISTRY_FAULTS: JSON.stringify(faults) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`fake registry exited with ${code}`)));
  });
  return { url, close: async () => void (child.kill('SIGTERM'), await once(child, 'exit')) };
}

function parserTimes(): Array<{ page: string; ms: number }> {
  const pages = [
    'search-results-region11-instance1.html',
    'home-rendered.html',
    'search-error.html',
    ...FIXTURE_DOCUMENT_IDS.map((id) => `review/${id}.html`),
  ];
  return pages.map((page) => {
    const html = readFixture(page);
    for (let i = 0; i < 20; i++) parsePage(html); // warm-up
    const rounds = 200;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) parsePage(html);
    return { page, ms: (performance.now() - started) / rounds };
  });
}

const registry = await fakeRegistryProcess();
// The same comparison with a network-like delay on every answer (a real registry page takes far longer).
const slowRegistry = await fakeRegistryProcess({ latencyMs: LATENCY_MS });
try {
  // Warm both paths (JIT, connection pool, fake's templates) before measuring.
  const warmup = documentIds.slice(0, 100);
  await throughput(warmup, CONCURRENCY, async (id) => (await fetch(`${registry.url}/Review/${id}`)).text());
  const fast = await RegistrySession.open({
    baseUrl: registry.url,
    transport: 'http',
    politeness: { ...NO_POLITENESS, maxConcurrency: CONCURRENCY },
  });
  await throughput(warmup, CONCURRENCY, (id) => fast.fetchDecision(id));

  const bare = await throughput(documentIds, CONCURRENCY, async (id) =>
    (await fetch(`${registry.url}/Review/${id}`)).text(),
  );
  const library = await throughput(documentIds, CONCURRENCY, (id) => fast.fetchDecision(id));

  await fast.close();
  const latencyIds = documentIds.slice(0, 400);
  const slow = await RegistrySession.open({
    baseUrl: slowRegistry.url,
    transport: 'http',
    politeness: { ...NO_POLITENESS, maxConcurrency: CONCURRENCY },
  });
  const bareWithLatency = await throughput(latencyIds, CONCURRENCY, async (id) =>
    (await fetch(`${slowRegistry.url}/Review/${id}`)).text(),
  );
  const libraryWithLatency = await throughput(latencyIds, CONCURRENCY, (id) => slow.fetchDecision(id));
  await slow.close();

  const budgeted = await RegistrySession.open({
    baseUrl: registry.url,
    transport: 'http',
    politeness: { minDelayMs: 1000 / BUDGET_PER_SECOND, maxConcurrency: 4 },
  });
  const budgetIds = documentIds.slice(0, BUDGET_PER_SECOND * BUDGET_SECONDS);
  const budget = await throughput(budgetIds, 4, (id) => budgeted.fetchDecision(id));
  await budgeted.close();

  const parsers = parserTimes();
  const ratio = library.perSecond / bare.perSecond;
  const latencyRatio = libraryWithLatency.perSecond / bareWithLatency.perSecond;
  const budgetRatio = budget.perSecond / BUDGET_PER_SECOND;
  const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const section = [
    `Run ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}; fake registry on 127.0.0.1 in a process of its own;`,
    `${PAGES} decision pages (\`/Review/<id>\`, ~45–60 kB each, 1 in 10 a real fixture page), ${CONCURRENCY} in flight; load average at the end ${os.loadavg()[0].toFixed(2)}.`,
    '',
    'At zero latency the comparison is CPU-bound: the fetch loop and the parser share one JS thread, and parsing a decision',
    '(the page DOM, the decision HTML from `#txtdepository`, its text) costs about as much as a loopback fetch. With a',
    'network-like delay the parse cost mostly hides behind the wait; against the real registry (pages take 100s of ms)',
    'it is a few percent of the time.',
    '',
    row(['measure', 'result', 'target']),
    row(['---', '---', '---']),
    row(['bare `fetch` + `text()` loop', `${bare.perSecond.toFixed(0)} pages/s`, '']),
    row([
      '`session.fetchDecision` (fetch + cookie jar + politeness queue + parse), politeness off',
      `${library.perSecond.toFixed(0)} pages/s (${(ratio * 100).toFixed(0)}% of bare)`,
      `≥ 50% ${ratio >= 0.5 ? '✓' : '✗'}`,
    ]),
    row([`bare loop, fake answering after ${LATENCY_MS} ms`, `${bareWithLatency.perSecond.toFixed(0)} pages/s`, '']),
    row([
      `\`session.fetchDecision\`, politeness off, fake answering after ${LATENCY_MS} ms`,
      `${libraryWithLatency.perSecond.toFixed(0)} pages/s (${(latencyRatio * 100).toFixed(0)}% of bare)`,
      `≥ 50% ${latencyRatio >= 0.5 ? '✓' : '✗'}`,
    ]),
    row([
      `rate budget ${BUDGET_PER_SECOND}/s (minDelayMs ${1000 / BUDGET_PER_SECOND}), ${budgetIds.length} pages`,
      `${budget.perSecond.toFixed(2)} pages/s (${(budgetRatio * 100).toFixed(1)}% of budget)`,
      `≥ 95% ${budgetRatio >= 0.95 ? '✓' : '✗'}`,
    ]),
    '',
    'Parser time per page (`parsePage`, mean of 200 runs after warm-up):',
    '',
    row(['page', 'ms']),
    row(['---', '---']),
    ...parsers.map((entry) => row([entry.page, entry.ms.toFixed(2)])),
  ].join('\n');

  writeSection('Registry library (`npm run bench:registry`)', section);
  console.log(section);
} finally {
  await Promise.all([registry.close(), slowRegistry.close()]);
}
