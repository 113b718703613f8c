// What bench:worker and bench:worker-ab share: the fake registry's shape, tasks over fresh day windows, one
// `reyestr worker` process run through a batch of tasks with its rate, the CPU each process spent per document
// (/proc) and the worker's peak RSS, and the registry library alone (fetchDecision, politeness off, 8 in flight).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NO_POLITENESS } from '../client/registry/politeness.ts';
import { RegistrySession } from '../client/registry/session.ts';
import { dayWindow } from '../test/fake-registry/data.ts';
import { startFakeRegistry, type FakeRegistry } from '../test/fake-registry/index.ts';
import { cpuMs, peakRssMb, postgresCpuMs, threadCpuMs } from './support.ts';

export const KEY = 'bench-admin-key-0123456789abcdef';
const PER_DAY = 20;
export const TASK_SIZE = 100;

/** The fake registry (in this process, no added latency): PER_DAY decisions a day. */
export const startBenchRegistry = () =>
  startFakeRegistry({
    totalFor: (params) => {
      const [first, lastDay] = dayWindow(params);
      return (lastDay - first + 1) * PER_DAY;
    },
  });

async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Tasks of TASK_SIZE decisions each over consecutive, disjoint day windows (never seen before in this run). */
let nextDay = Date.UTC(2015, 0, 1);
function newTaskInputs(documents: number) {
  const days = TASK_SIZE / PER_DAY;
  return Array.from({ length: Math.ceil(documents / TASK_SIZE) }, () => {
    const from = new Date(nextDay).toISOString().slice(0, 10).split('-').reverse().join('.');
    nextDay += days * 86_400_000;
    const to = new Date(nextDay - 86_400_000).toISOString().slice(0, 10).split('-').reverse().join('.');
    return {
      searchParams: { CourtRegion: '11', RegDateBegin: from, RegDateEnd: to, 'PagingInfo.ItemsPerPage': '100' },
      maxDocuments: TASK_SIZE,
    };
  });
}

export interface RunResult {
  documents: number;
  seconds: number;
  perSecond: number;
  requests: number;
  requestsPerSecond: number;
  rssMb: number;
  /** CPU ms per document over the run, by process: where the 2 cores went */
  cpuPerDocument: { worker: number; gate: number; postgres: number; bench: number };
  /** the worker's CPU ms per document by thread (main, libuv pool, GC helpers) */
  workerThreads: Record<string, number>;
}

/** CPU readings of every process a run involves (the bench process holds the fake registry). */
function cpuReadings(workerPid: number, gatePid: number) {
  const bench = process.cpuUsage();
  return {
    worker: cpuMs(workerPid),
    gate: cpuMs(gatePid),
    postgres: postgresCpuMs(),
    bench: (bench.user + bench.system) / 1000,
  };
}

export interface RunOptions {
  /** node's flags for the worker process */
  nodeArgs: string[];
  /** run the worker of another checkout (its bin/reyestr.mjs) */
  checkout?: string;
  /** also keep a local copy (`--output-dir`): ~11 more file-system calls per document; the worker's default is none */
  localCopy?: boolean;
  /**
   * decisions the worker downloads first, not counted: a fresh worker (and gate) spends its first ~1,000 decisions
   * compiling and optimising, ~1 ms of CPU per decision more than later — the registry-only row measures after a
   * warm-up pass, so this measures the worker as warm (default 0: from a fresh worker, as before)
   */
  warmUpDocuments?: number;
}

type TaskState = { status: string; claimedAt: string; completedAt: string | null; documentsDownloaded: number };

// The run's tasks are those created at or after its createTasks. One query a poll counts the unfinished and the
// failed: a query per task every 250 ms (15 tasks in the goal row) was ~3 times the worker's own requests to the gate,
// on the gate's and this process's CPU that the run counts per document.
const POLL = `query($since: DateTime!) {
  open: tasks(filter: { createdAfter: $since, status: [PENDING, CLAIMED, RUNNING] }, first: 1) { totalCount }
  ended: tasks(filter: { createdAfter: $since, status: [FAILED, DEAD, CANCELLED] }, first: 1) { totalCount }
}`;
const STATE = 'query($id: ID!) { task(id: $id) { status claimedAt completedAt documentsDownloaded } }';

/** Creates `documents` worth of tasks and waits until the worker has completed them all. */
async function runTasks(url: string, documents: number): Promise<TaskState[]> {
  const { createTasks } = await gql<{ createTasks: Array<{ id: string; createdAt: string }> }>(
    url,
    'mutation($tasks: [NewTaskInput!]!) { createTasks(input: { tasks: $tasks }) { id createdAt } }',
    { tasks: newTaskInputs(documents) },
  );
  const since = createTasks.map((task) => task.createdAt).sort()[0];
  // Each task's state once, at the end.
  const states = () =>
    Promise.all(createTasks.map(async ({ id }) => (await gql<{ task: TaskState }>(url, STATE, { id })).task));
  for (;;) {
    const { open, ended } = await gql<{ open: { totalCount: number }; ended: { totalCount: number } }>(url, POLL, {
      since,
    });
    if (ended.totalCount > 0) throw new Error(`a task failed: ${JSON.stringify(await states())}`);
    if (open.totalCount === 0) {
      const tasks = await states();
      if (tasks.some((task) => task.status !== 'COMPLETED')) throw new Error(`unfinished: ${JSON.stringify(tasks)}`);
      return tasks;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}

/** One worker process runs `documents` worth of tasks; returns documents/s from first claim to last completion. */
export async function runWorker(
  url: string,
  gatePid: number,
  registry: FakeRegistry,
  documents: number,
  workerArgs: string[],
  options: RunOptions,
): Promise<RunResult> {
  // The outbox (and the local copy, when asked for) in a temp folder of this run, not the user's state directory.
  const folder = mkdtempSync(join(tmpdir(), 'reyestr-bench-worker-'));
  const name = `bench-${workerArgs.join('')}${options.localCopy ? '-copy' : ''}`;
  const worker = spawn(
    process.execPath,
    [
      ...options.nodeArgs,
      resolve(options.checkout ?? '.', 'bin/reyestr.mjs'),
      'worker',
      '--api-url',
      url,
      '--outbox-dir',
      join(folder, 'outbox'),
      ...(options.localCopy ? ['--output-dir', join(folder, 'copy')] : []),
      '--registry-url',
      registry.url,
      '--client-name',
      name,
      '--poll-interval',
      '1',
      '--progress',
      'lines',
      '--log-level',
      'warn',
      ...workerArgs,
    ],
    { env: { ...process.env, REYESTR_API_KEY: KEY }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Read and dropped: a worker writing into a full pipe nobody reads would block (stdout is synchronous on Linux).
  worker.stdout!.resume();
  worker.stderr!.resume();
  try {
    for (;;) {
      // registered and idle
      const { clients } = await gql<{ clients: Array<{ name: string }> }>(url, '{ clients { name } }');
      if (clients.some((client) => client.name === name)) break;
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
    if (options.warmUpDocuments) await runTasks(url, options.warmUpDocuments);
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    registry.resetLog();
    const cpuBefore = cpuReadings(worker.pid!, gatePid);
    const threadsBefore = threadCpuMs(worker.pid!);
    const tasks = await runTasks(url, documents);
    const cpuAfter = cpuReadings(worker.pid!, gatePid);
    const threadsAfter = threadCpuMs(worker.pid!);
    const rssMb = peakRssMb(worker.pid!);
    const downloaded = tasks.reduce((sum, task) => sum + task.documentsDownloaded, 0);
    const first = Math.min(...tasks.map((task) => Date.parse(task.claimedAt)));
    const last = Math.max(...tasks.map((task) => Date.parse(task.completedAt!)));
    const log = registry.requestLog;
    const requestSeconds = (log[log.length - 1].at - log[0].at) / 1000;
    const seconds = (last - first) / 1000;
    // N requests started at the budget's pace span (N − 1) intervals.
    return {
      documents: downloaded,
      seconds,
      perSecond: downloaded / seconds,
      requests: log.length,
      requestsPerSecond: (log.length - 1) / requestSeconds,
      rssMb,
      cpuPerDocument: {
        worker: (cpuAfter.worker - cpuBefore.worker) / downloaded,
        gate: (cpuAfter.gate - cpuBefore.gate) / downloaded,
        postgres: (cpuAfter.postgres - cpuBefore.postgres) / downloaded,
        bench: (cpuAfter.bench - cpuBefore.bench) / downloaded,
      },
      workerThreads: Object.fromEntries(
        Object.entries(threadsAfter).map(([name, ms]) => [name, (ms - (threadsBefore[name] ?? 0)) / downloaded]),
      ),
    };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((resolveExit) => worker.once('exit', resolveExit));
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The registry library alone, as bench:registry measures it: fetchDecision, politeness off, 8 in flight. */
export async function registryOnly(
  registry: FakeRegistry,
  count: number,
): Promise<{ perSecond: number; cpuPerDocument: number }> {
  const session = await RegistrySession.open({
    baseUrl: registry.url,
    transport: 'http',
    politeness: { ...NO_POLITENESS, maxConcurrency: 8 },
  });
  const ids = Array.from({ length: count }, (_, i) => String(170_000_000 + i * 3));
  let next = 0;
  const loop = async () => {
    while (next < ids.length) await session.fetchDecision(ids[next++]);
  };
  await Promise.all(Array.from({ length: 8 }, loop)); // warm-up pass
  next = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: 8 }, loop));
  const cpu = process.cpuUsage(cpuBefore);
  const perSecond = ids.length / ((performance.now() - started) / 1000);
  await session.close();
  return { perSecond, cpuPerDocument: (cpu.user + cpu.system) / 1000 / ids.length };
}
