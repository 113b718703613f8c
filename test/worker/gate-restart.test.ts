// The gate goes away mid-task and comes back on the same address: the worker keeps downloading, retries
// what it could not deliver (same lease token, same completion body), its completion lands and the
// decisions that waited in its outbox are uploaded; its
// taskAvailable subscription reconnects, so the next task is picked up without waiting for a poll.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, eventually, readOutput, startWorkerRig, taskOf, windowParams, type WorkerRig } from './support.ts';

describe('gate restart mid-task', () => {
  let rig: WorkerRig;

  beforeAll(async () => {
    // A lease long enough to outlive the restart (a longer outage is what the sweeper is for).
    rig = await startWorkerRig({ leaseSeconds: 30 }, { latencyMs: 80 });
  });
  afterAll(() => rig?.stop());

  it('reconnects, delivers its completion after the restart, and hears taskAvailable again', async () => {
    let t = rig.t;
    /**
     * Waits until the worker claims `taskId`, with a nudge every 2 s: a task that is never due (its CREATED
     * event is a taskAvailable) — a nudge that lands in the moment the subscription is being set up again
     * is lost by design, the poll would pick the task up, but here the poll is 120 s away.
     */
    const claimedOnNudges = (taskId: string) => {
      let lastNudge = Date.now();
      return eventually(
        async () => {
          if ((await taskOf(t, taskId)).status !== 'PENDING') return true;
          if (Date.now() - lastNudge > 2_000) {
            lastNudge = Date.now();
            const never = await createTask(t, {
              searchParams: windowParams('2022-01-01', '2022-01-01'),
              runAt: new Date(Date.now() + 86_400_000).toISOString(),
            });
            await t.ok(`mutation($id: ID!) { cancelTask(input: { id: $id }) { id } }`, { id: never });
          }
          return false;
        },
        20_000,
        'the worker to claim on a nudge',
      );
    };
    // A poll interval far longer than the test: only the subscription can make it claim promptly.
    const worker = await rig.start('restart-worker', ['--concurrency', '1', '--poll-interval', '120']);
    await worker.waitForLine(/listening for taskAvailable/);
    const taskId = await createTask(t, { searchParams: windowParams('2022-02-01', '2022-02-05'), maxDocuments: 20 });
    await claimedOnNudges(taskId);
    await eventually(async () => (await taskOf(t, taskId)).documentsDownloaded >= 2, 20_000, 'progress');

    // Down until the worker has all the documents and finds it cannot deliver them.
    t = rig.t = await t.restart(
      {},
      {
        keepPort: true,
        whileDown: async () => {
          await worker.waitForLine(/(progress|completion) of task .*gate unavailable, retrying/, 30_000);
        },
      },
    );
    const done = await eventually(
      async () => {
        const task = await taskOf(t, taskId);
        return task.status === 'COMPLETED' && task;
      },
      30_000,
      'the completion to land',
    );
    expect(done).toMatchObject({ documentsDownloaded: 20, documentsSkipped: 0, attempts: 0 });
    expect(readOutput(worker.outputDir)).toHaveLength(20);
    // The task did not wait for the uploads the outage held up: they catch up from the outbox by themselves.
    await eventually(
      async () => (await t.ok(`{ documents(first: 1) { totalCount } }`)).documents.totalCount === 20,
      30_000,
      'the outbox to catch up',
    );
    // The worker empties an outbox entry only after the gate's answer reaches it, a moment after the gate counts
    // the document: wait for that too rather than read the folder at once.
    // Count names only: a document leaving the outbox is renamed away, then deleted — reading its files meanwhile
    // would race the worker.
    const waitingInOutbox = () => readdirSync(worker.outboxDir).filter((name) => /^\d+$/.test(name));
    await eventually(async () => waitingInOutbox().length === 0, 60_000, 'the outbox to empty');
    expect(waitingInOutbox()).toEqual([]);

    // The subscription is back: a new task is claimed long before the 120 s poll would.
    const next = await createTask(t, { searchParams: windowParams('2022-03-01', '2022-03-01'), maxDocuments: 4 });
    await claimedOnNudges(next);
    await eventually(async () => (await taskOf(t, next)).status === 'COMPLETED', 20_000, 'the next task to complete');
    expect(worker.lines.some((line) => /delivered after/.test(line))).toBe(true);
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
