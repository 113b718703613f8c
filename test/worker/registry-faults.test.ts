// The registry pushes back: 429 → the worker waits and slows down and still finishes; a shown captcha or
// the error page → the task fails with class CHALLENGE and the worker sends the registry nothing more
// (and claims nothing) for the cool-down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRegistry } from '../fake-registry/index.ts';
import type { TestGate } from '../support/gate.ts';
import { createTask, eventually, readOutput, startWorkerRig, taskOf, windowParams, type WorkerRig } from './support.ts';

const cancel = (t: TestGate, id: string) =>
  t.ok(`mutation($id: ID!) { cancelTask(input: { id: $id }) { id } }`, { id });

describe('registry faults', () => {
  let rig: WorkerRig;
  let t: TestGate;
  let registry: FakeRegistry;
  const start = (name: string, args: string[] = []) => rig.start(name, args);

  beforeAll(async () => {
    rig = await startWorkerRig();
    ({ t, registry } = rig);
  });
  afterAll(() => rig?.stop());

  it('429 with Retry-After: waits it out, lowers its pace, and still finishes', async () => {
    registry.setFaults({
      rules: [{ kind: 'rate-limit', routes: ['review'], after: 3, times: 2, retryAfterSeconds: 1 }],
    });
    registry.resetLog();
    const worker = await start('polite-worker');
    const taskId = await createTask(t, { searchParams: windowParams('2021-04-01', '2021-04-04'), maxDocuments: 16 });
    const done = await eventually(
      async () => {
        const task = await taskOf(t, taskId);
        return task.status === 'COMPLETED' && task;
      },
      30_000,
      'the task to complete',
    );
    expect(done).toMatchObject({ documentsDownloaded: 16, documentsFailed: 0 });
    expect(done.resultSummary.registry.rateLimitWaits).toBeGreaterThanOrEqual(1);
    expect(readOutput(worker.outputDir)).toHaveLength(16);
    await worker.waitForLine(/the registry asked us to slow down/);
    // Nothing went to the registry while it had asked us to wait (Retry-After: 1 s).
    const log = registry.requestLog;
    const firstLimit = log.findIndex((entry) => entry.status === 429);
    const lastLimit = log.findLastIndex((entry) => entry.status === 429);
    const next = log.slice(lastLimit + 1).find((entry) => entry.route === 'review');
    expect(firstLimit).toBeGreaterThan(-1);
    expect(next!.at - log[firstLimit].at).toBeGreaterThanOrEqual(900);
    registry.setFaults({});
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('a shown captcha: the task fails as CHALLENGE, then no requests and no claims during the cool-down', async () => {
    registry.setFaults({ rules: [{ kind: 'captcha', routes: ['review'], after: 2, times: 1 }] });
    const worker = await start('captcha-worker', ['--challenge-cooldown', '120']);
    const taskId = await createTask(t, { searchParams: windowParams('2021-05-01', '2021-05-04'), maxDocuments: 16 });
    const failed = await eventually(
      async () => {
        const task = await taskOf(t, taskId);
        return task.lastErrorClass && task;
      },
      20_000,
      'the task to fail',
    );
    expect(failed).toMatchObject({ status: 'PENDING', lastErrorClass: 'CHALLENGE', attempts: 0 });
    expect(failed.lastError).toMatch(/captcha/);
    await worker.waitForLine(/cooling down/);
    registry.setFaults({});

    // The task is claimable again (the test gate has no retry backoff) and another one waits: this worker
    // takes neither and the registry hears nothing from it.
    const requestsBefore = registry.requestLog.length;
    const another = await createTask(t, { searchParams: windowParams('2021-06-01', '2021-06-01'), maxDocuments: 4 });
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // five poll intervals
    expect(registry.requestLog.length).toBe(requestsBefore);
    expect((await taskOf(t, another)).status).toBe('PENDING');
    expect((await taskOf(t, taskId)).status).toBe('PENDING');

    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    for (const id of [taskId, another]) await cancel(t, id);
  });

  it("the registry's error page on a search: CHALLENGE too", async () => {
    registry.setFaults({ rules: [{ kind: 'error-page', routes: ['search'] }] });
    registry.resetLog();
    const worker = await start('error-page-worker', ['--challenge-cooldown', '120']);
    const taskId = await createTask(t, { searchParams: windowParams('2021-07-01', '2021-07-02'), maxDocuments: 8 });
    const failed = await eventually(
      async () => {
        const task = await taskOf(t, taskId);
        return task.lastErrorClass && task;
      },
      20_000,
      'the task to fail',
    );
    expect(failed).toMatchObject({ status: 'PENDING', lastErrorClass: 'CHALLENGE', attempts: 0 });
    expect(failed.lastError).toMatch(/error page/);
    await worker.waitForLine(/cooling down/);
    const requestsBefore = registry.requestLog.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(registry.requestLog.length).toBe(requestsBefore);
    expect(registry.requestLog.filter((entry) => entry.route === 'review')).toHaveLength(0);
    registry.setFaults({});
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    await cancel(t, taskId);
  });
});
