// Workers that die or are told to stop: kill -9 mid-task (the task is re-leased and finished by the other
// worker, no partial files, the dead worker's late completion is refused) and SIGTERM (unfinished tasks
// are handed back and claimable at once; the worker says goodbye and is STOPPED at once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import type { TestGate } from '../support/gate.ts';
import { createTask, eventually, readOutput, startWorkerRig, taskOf, windowParams, type WorkerRig } from './support.ts';

const LEASE_SECONDS = 3;

describe('worker crash and shutdown', () => {
  let rig: WorkerRig;
  let t: TestGate;
  const start = (name: string, args: string[] = []) => rig.start(name, args);

  beforeAll(async () => {
    // The sweeper runs when a test calls tick(); leases are short so a dead worker's lease runs out soon.
    rig = await startWorkerRig({ leaseSeconds: LEASE_SECONDS }, { latencyMs: 60 });
    t = rig.t;
  });
  afterAll(() => rig?.stop());
  const statusOf = async (name: string) =>
    (await t.ok(`query { clients { name status } }`)).clients.find((c: { name: string }) => c.name === name)?.status;

  it('kill -9 mid-task: the lease runs out, the other worker finishes the task, the dead one is fenced out', async () => {
    const doomed = await start('crash-doomed', ['--concurrency', '1']);
    const taskId = await createTask(t, { searchParams: windowParams('2023-05-01', '2023-05-15'), maxDocuments: 60 });
    await eventually(
      async () => (await taskOf(t, taskId)).documentsDownloaded >= 4,
      20_000,
      'the first worker to make progress',
    );
    const survivor = await start('crash-survivor', ['--concurrency', '2']);
    const { leaseToken: deadToken } = (await prisma.task.findUniqueOrThrow({ where: { id: taskId } })) as {
      leaseToken: string;
    };

    doomed.kill('SIGKILL');
    await doomed.exited;
    // A killed worker says nothing: it stays ACTIVE until its heartbeat is old (INACTIVE, by the sweeper).
    expect(await statusOf('crash-doomed')).toBe('ACTIVE');
    // No heartbeat any more: once the lease has run out, a sweep requeues the task and the survivor takes it.
    await eventually(
      async () => {
        const row = await prisma.task.findUniqueOrThrow({ where: { id: taskId } });
        return row.leaseExpiresAt !== null && row.leaseExpiresAt.getTime() < Date.now();
      },
      15_000,
      "the dead worker's lease to expire",
    );
    await t.gate.sweeper.tick();
    const done = await eventually(
      async () => {
        const task = await taskOf(t, taskId);
        return task.status === 'COMPLETED' && task;
      },
      30_000,
      'the survivor to complete the task',
    );
    expect(done.leaseHolder.name).toBe('crash-survivor');
    // The kill was a stall, not a failed attempt.
    expect(done).toMatchObject({ attempts: 0, stalls: 1 });
    expect(done.events.map((event: { type: string }) => event.type)).toContain('LEASE_EXPIRED');

    // No partial files in either output dir (readOutput throws on any); together they hold every decision once
    // or twice (a document the dead worker wrote but had not yet registered may be fetched again).
    const deadFiles = readOutput(doomed.outputDir).map((doc) => doc.documentId);
    const survivorFiles = readOutput(survivor.outputDir).map((doc) => doc.documentId);
    expect(deadFiles.length).toBeGreaterThanOrEqual(4);
    expect(new Set([...deadFiles, ...survivorFiles]).size).toBe(60);
    expect(done.documentsDownloaded + done.documentsSkipped).toBe(60);
    expect(done.documentsDownloaded).toBe(survivorFiles.length);

    // The dead worker's completion, arriving late with its old token, changes nothing.
    const late = await t.gql(`mutation($input: CompleteTaskInput!) { completeTask(input: $input) { id } }`, {
      input: { taskId, leaseToken: deadToken, documentsDownloaded: 60 },
    });
    expect(late.errors?.[0]?.extensions?.code).toBe('LEASE_LOST');
    expect((await taskOf(t, taskId)).documentsDownloaded).toBe(done.documentsDownloaded);
    survivor.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
  });

  it('SIGTERM: stops claiming, reports progress, releases the task for another worker at once, exits 0', async () => {
    const worker = await start('term-worker', ['--concurrency', '1', '--shutdown-grace', '2']);
    const taskId = await createTask(t, { searchParams: windowParams('2023-07-01', '2023-07-15'), maxDocuments: 60 });
    const other = await createTask(t, {
      searchParams: windowParams('2023-08-01', '2023-08-02'),
      maxDocuments: 8,
      priority: -1,
    });
    await eventually(async () => (await taskOf(t, taskId)).documentsDownloaded >= 3, 20_000, 'progress');

    expect(await statusOf('term-worker')).toBe('ACTIVE');
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    // It said goodbye: STOPPED at once, no sweep and no heartbeat age to wait out.
    expect(await statusOf('term-worker')).toBe('STOPPED');
    const task = await taskOf(t, taskId);
    expect(task.status).toBe('PENDING');
    expect(task.attempts).toBe(0);
    expect(task.events[0].type).toBe('RELEASED');
    // The last progress report before the release counted every file the worker wrote.
    expect(task.documentsDownloaded).toBe(readOutput(worker.outputDir).length);
    // The worker claimed nothing after the signal.
    expect((await taskOf(t, other)).status).toBe('PENDING');

    // Claimable at once, by anyone: no sweep, no lease to wait out.
    const { registerClient } = await t.ok(`mutation { registerClient(input: { name: "after-term" }) { id } }`);
    const { claimTask } = await t.ok(`mutation($id: ID!) { claimTask(input: { clientId: $id }) { task { id } } }`, {
      id: registerClient.id,
    });
    expect(claimTask.task.id).toBe(taskId);
    for (const id of [taskId, other])
      await t.ok(`mutation($id: ID!) { cancelTask(input: { id: $id }) { id } }`, { id });
  });
});
