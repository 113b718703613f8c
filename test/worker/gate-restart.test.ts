// The gate goes away mid-task and comes back on the same address: the worker keeps downloading, retries
// what it could not deliver (same lease token, same completion body), and its completion lands; its
// taskAvailable subscription reconnects, so the next task is picked up without waiting for a poll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayWindow } from '../fake-registry/data.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { createTask, createWorkerKey, eventually, killAll, readOutput, spawnWorker, taskOf, windowParams, type WorkerProcess } from './support.ts';

describe('gate restart mid-task', () => {
  let t: TestGate;
  let registry: FakeRegistry;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // A lease long enough to outlive the restart (a longer outage is what the sweeper is for).
    t = await startTestGate('postgres', { leaseSeconds: 30 });
    registry = await startFakeRegistry({
      totalFor: (params) => {
        const [first, last] = dayWindow(params);
        return (last - first + 1) * 4;
      },
      faults: { latencyMs: 80 },
    });
  });
  afterAll(async () => {
    await killAll(workers);
    await registry?.close();
    await t?.stop();
  });

  it('reconnects, delivers its completion after the restart, and hears taskAvailable again', async () => {
    const key = await createWorkerKey(t, 'restart-worker');
    // A poll interval far longer than the test: only the subscription can make it claim promptly.
    const worker = spawnWorker({ gateUrl: t.url, registryUrl: registry.url, apiKey: key, name: 'restart-worker', args: ['--concurrency', '1', '--poll-interval', '120'] });
    workers.push(worker);
    await worker.waitForLine(/registered as/);
    await worker.waitForLine(/listening for taskAvailable/);
    const taskId = await createTask(t, { searchParams: windowParams('2022-02-01', '2022-02-05'), maxDocuments: 20 });
    await eventually(async () => (await taskOf(t, taskId)).documentsDownloaded >= 2, 20_000, 'progress');

    // Down until the worker has all the documents and finds it cannot deliver them.
    t = await t.restart({}, {
      keepPort: true,
      whileDown: async () => {
        await worker.waitForLine(/(registering documents|progress|completion) of task .*gate unavailable, retrying/, 30_000);
      },
    });
    const done = await eventually(async () => {
      const task = await taskOf(t, taskId);
      return task.status === 'COMPLETED' && task;
    }, 30_000, 'the completion to land');
    expect(done).toMatchObject({ documentsDownloaded: 20, documentsSkipped: 0, attempts: 0 });
    expect(readOutput(worker.outputDir)).toHaveLength(20);
    const { documents } = await t.ok(`{ documents(first: 1) { totalCount } }`);
    expect(documents.totalCount).toBe(20);

    // The subscription is back: a new task is claimed long before the 120 s poll would.
    const next = await createTask(t, { searchParams: windowParams('2022-03-01', '2022-03-01'), maxDocuments: 4 });
    await eventually(async () => (await taskOf(t, next)).status === 'COMPLETED', 20_000, 'the next task, claimed on a nudge');
    expect(worker.lines.some((line) => /delivered after/.test(line))).toBe(true);
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
