// The registry pushes back: 429 → the worker waits and slows down and still finishes; a shown captcha or
// the error page → the task fails with class CHALLENGE and the worker sends the registry nothing more
// (and claims nothing) for the cool-down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRegistry } from '../fake-registry/index.ts';
import type { TestGate } from '../support/gate.ts';
import { createTask, eventually, readOutput, startWorkerRig, taskOf, windowParams, type WorkerRig } from './support.ts';

/**
 * Long enough that a worker which ignored it would be caught (it polls every 0.5 s and has tasks waiting), short
 * enough to sit through: the tests wait for the worker to resume by itself, then check nothing happened before.
 */
const COOL_DOWN_SECONDS = 3;

/** The end of a cool-down, from the worker's line announcing it (`until=<ISO time>`), in ms. */
function coolDownEnd(line: string): number {
  const until = /until=(\S+)/.exec(line)?.[1];
  expect(until, line).toBeDefined();
  return Date.parse(until!);
}

describe('registry faults', () => {
  let rig: WorkerRig;
  let t: TestGate;
  let registry: FakeRegistry;
  const start = (name: string, args: string[] = []) => rig.start(name, args);
  /** Waits for the tasks to complete; returns them with when they were last claimed. */
  const completedTasks = (...ids: string[]) =>
    eventually(
      async () => {
        const tasks = await Promise.all(
          ids.map(async (id) => (await t.ok(`query($id: ID!) { task(id: $id) { status claimedAt } }`, { id })).task),
        );
        return tasks.every((task) => task.status === 'COMPLETED') && tasks;
      },
      60_000,
      'the tasks to complete after the cool-down',
    );

  beforeAll(async () => {
    rig = await startWorkerRig();
    ({ t, registry } = rig);
  });
  afterAll(() => rig?.stop());

  it('429 with Retry-After: waits it out, lowers its pace, and still finishes', async () => {
    // As many 429s as the rig's worker has lanes (--concurrency 4): when the first 429 lands, up to three more
    // requests may already be on their way, and each of those gets a 429 too — so any request after the last 429
    // was sent after the worker had heard it. With 2, a third request in flight arrived 5 ms after the first 429
    // and was taken for one the worker sent while asked to wait (a clean-clone CI run).
    registry.setFaults({
      rules: [{ kind: 'rate-limit', routes: ['review'], after: 3, times: 4, retryAfterSeconds: 1 }],
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

  it('a shown captcha: the task fails as CHALLENGE, then no requests and no claims until the cool-down ends', async () => {
    registry.setFaults({ rules: [{ kind: 'captcha', routes: ['review'], after: 2, times: 1 }] });
    const worker = await start('captcha-worker', ['--challenge-cooldown', String(COOL_DOWN_SECONDS)]);
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
    const until = coolDownEnd(await worker.waitForLine(/cooling down/));
    const requestsBefore = registry.requestLog.length;
    registry.setFaults({});

    // The task is claimable again (the test gate has no retry backoff) and another one waits: this worker
    // takes neither and the registry hears nothing from it until the cool-down's end — then it takes both.
    const another = await createTask(t, { searchParams: windowParams('2021-06-01', '2021-06-01'), maxDocuments: 4 });
    const finished = await completedTasks(taskId, another);
    expect(registry.requestLog.slice(requestsBefore).filter((entry) => entry.receivedAt < until)).toEqual([]);
    expect(registry.requestLog.length).toBeGreaterThan(requestsBefore);
    for (const task of finished) expect(Date.parse(task.claimedAt)).toBeGreaterThanOrEqual(until);

    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it("the registry's error page on a search: CHALLENGE too", async () => {
    registry.setFaults({ rules: [{ kind: 'error-page', routes: ['search'] }] });
    registry.resetLog();
    const worker = await start('error-page-worker', ['--challenge-cooldown', String(COOL_DOWN_SECONDS)]);
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
    const until = coolDownEnd(await worker.waitForLine(/cooling down/));
    const requestsBefore = registry.requestLog.length;
    registry.setFaults({});
    const [finished] = await completedTasks(taskId);
    expect(registry.requestLog.slice(requestsBefore).filter((entry) => entry.receivedAt < until)).toEqual([]);
    expect(registry.requestLog.filter((entry) => entry.route === 'review' && entry.receivedAt < until)).toEqual([]);
    expect(Date.parse(finished.claimedAt)).toBeGreaterThanOrEqual(until);
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
