// Worker tests: real `reyestr worker` child processes (so SIGKILL and SIGTERM are real) against a real gate
// and the fake registry, plus helpers to wait for what they do and to check the files they write.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { GateConfig } from '../../server/config.ts';
import { dayWindow } from '../fake-registry/data.ts';
import { startFakeRegistry, type FakeRegistry, type Faults } from '../fake-registry/index.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { safetyNet, WAIT_FLOOR_MS } from '../support/deadlines.ts';

const BIN = new URL('../../bin/reyestr.mjs', import.meta.url).pathname;

export interface WorkerProcess {
  name: string;
  outputDir: string;
  /** where its decisions wait until the gate stored them */
  outboxDir: string;
  child: ChildProcess;
  /** stdout and stderr lines so far */
  lines: string[];
  exited: Promise<number | null>;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): void;
}

export interface WorkerSpawnOptions {
  gateUrl: string;
  registryUrl: string;
  apiKey: string;
  name: string;
  outputDir?: string;
  outboxDir?: string;
  args?: string[];
  /** flags for node itself, e.g. the recommended heap limits */
  nodeArgs?: string[];
}

export function spawnWorker(options: WorkerSpawnOptions): WorkerProcess {
  const outputDir = options.outputDir ?? mkdtempSync(join(tmpdir(), `reyestr-${options.name}-`));
  const outboxDir = options.outboxDir ?? mkdtempSync(join(tmpdir(), `reyestr-outbox-${options.name}-`));
  const args = [
    ...(options.nodeArgs ?? []),
    BIN,
    'worker',
    '--api-url',
    options.gateUrl,
    '--client-name',
    options.name,
    '--output-dir',
    outputDir,
    '--outbox-dir',
    outboxDir,
    '--registry-url',
    options.registryUrl,
    '--rate',
    '0',
    '--concurrency',
    '4',
    '--poll-interval',
    '0.5',
    '--heartbeat-interval',
    '1',
    '--progress',
    'lines',
    '--log-level',
    process.env.TEST_WORKER_LOG_LEVEL ?? 'debug',
    ...(options.args ?? []),
  ];
  // The key goes by environment, as on a real host (and never into argv).
  const child = spawn(process.execPath, args, {
    env: { ...process.env, REYESTR_API_KEY: options.apiKey, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const logFile = join(tmpdir(), `reyestr-worker-${options.name}.log`);
  writeFileSync(logFile, '');
  const onData = (chunk: Buffer) => {
    appendFileSync(logFile, chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (process.env.TEST_WORKER_ECHO) process.stderr.write(`[${options.name}] ${line}\n`);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    name: options.name,
    outputDir,
    outboxDir,
    child,
    lines,
    exited,
    waitForLine(pattern, asked = WAIT_FLOOR_MS) {
      const timeoutMs = safetyNet(asked);
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `${options.name}: no line matching ${pattern} in ${timeoutMs} ms (log: ${logFile}); last lines:\n${lines.slice(-15).join('\n')}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Stops workers a test left running (SIGKILL: nothing to wait for). */
export async function killAll(workers: WorkerProcess[]): Promise<void> {
  for (const worker of workers) worker.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
  for (const worker of workers) {
    rmSync(worker.outputDir, { recursive: true, force: true });
    rmSync(worker.outboxDir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns a truthy value. `what` names it in the timeout's error (a function: with the state then). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = WAIT_FLOOR_MS,
  what: string | (() => string) = 'condition',
): Promise<T> {
  const until = Date.now() + safetyNet(timeoutMs);
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface DocumentOnDisk {
  documentId: string;
  json: Record<string, any>;
  html: string;
  text: string;
}

/** Documents in an output dir (temp files under .tmp/ aside); fails on a document directory without all three files or with a JSON that does not match. */
export function readOutput(outputDir: string): DocumentOnDisk[] {
  if (!existsSync(outputDir)) return [];
  const documents: DocumentOnDisk[] = [];
  for (const id of readdirSync(outputDir).filter((name) => !name.startsWith('.'))) {
    const names = readdirSync(join(outputDir, id));
    const expected = [`${id}.html`, `${id}.json`, `${id}.txt`];
    if (names.sort().join() !== expected.join())
      throw new Error(`${outputDir}/${id}: partial files: ${names.join(', ')}`);
    const json = JSON.parse(readFileSync(join(outputDir, id, `${id}.json`), 'utf8'));
    const html = readFileSync(join(outputDir, id, `${id}.html`), 'utf8');
    const text = readFileSync(join(outputDir, id, `${id}.txt`), 'utf8');
    if (json.documentId !== id) throw new Error(`${id}.json names ${json.documentId}`);
    if (json.sha256 !== createHash('sha256').update(html).digest('hex'))
      throw new Error(`${id}.json sha256 does not match ${id}.html`);
    documents.push({ documentId: id, json, html, text });
  }
  return documents;
}

export const TASK_QUERY = `query($id: ID!) { task(id: $id) { id status attempts stalls documentsDownloaded documentsSkipped documentsFailed resultSummary lastErrorClass lastError leaseHolder { name } events { type } } }`;

export async function taskOf(t: TestGate, id: string) {
  return (await t.ok(TASK_QUERY, { id })).task;
}

export async function createWorkerKey(t: TestGate, name: string): Promise<string> {
  const { createApiKey } = await t.ok(
    `mutation($name: String!) { createApiKey(input: { name: $name, role: WORKER }) { key } }`,
    { name },
  );
  return createApiKey.key;
}

export async function createTask(t: TestGate, input: Record<string, unknown>): Promise<string> {
  const { createTask: task } = await t.ok(`mutation($input: NewTaskInput!) { createTask(input: $input) { id } }`, {
    input,
  });
  return task.id;
}

/** Search params of a decision-date window (dd.mm.yyyy), region 11, first instance. */
export function windowParams(fromIso: string, toIso: string): Record<string, unknown> {
  const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('.');
  return { CourtRegion: '11', INSType: '1', RegDateBegin: ddmmyyyy(fromIso), RegDateEnd: ddmmyyyy(toIso) };
}

/** /Review/<id> requests per document id in the fake registry's log. */
export function reviewCounts(log: Array<{ route: string; path: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of log)
    if (entry.route === 'review') counts.set(entry.path.split('/')[2], (counts.get(entry.path.split('/')[2]) ?? 0) + 1);
  return counts;
}

/** Everything a worker test file runs against: a gate, the fake registry (PER_DAY decisions a day), workers. */
export interface WorkerRig {
  /** replaced by `t = await rig.t.restart(…)` when a test restarts the gate */
  t: TestGate;
  registry: FakeRegistry;
  workers: WorkerProcess[];
  /** Spawns a worker with a key of its own; `registered`: wait until it has registered. */
  start(name: string, args?: string[], registered?: boolean, nodeArgs?: string[]): Promise<WorkerProcess>;
  stop(): Promise<void>;
}

export const PER_DAY = 4;

export async function startWorkerRig(gate: Partial<GateConfig> = {}, faults: Faults = {}): Promise<WorkerRig> {
  const t = await startTestGate('postgres', gate);
  const registry = await startFakeRegistry({
    totalFor: (params) => {
      const [first, last] = dayWindow(params);
      return (last - first + 1) * PER_DAY;
    },
    faults,
  });
  const rig: WorkerRig = {
    t,
    registry,
    workers: [],
    async start(name, args = [], registered = true, nodeArgs = []) {
      const worker = spawnWorker({
        gateUrl: rig.t.url,
        registryUrl: registry.url,
        apiKey: await createWorkerKey(rig.t, name),
        name,
        args,
        nodeArgs,
      });
      rig.workers.push(worker);
      if (registered) await worker.waitForLine(/registered as/);
      return worker;
    },
    async stop() {
      await killAll(rig.workers);
      await registry.close();
      await rig.t.stop();
    },
  };
  return rig;
}
