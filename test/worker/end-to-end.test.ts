// Gate + fake registry + two `reyestr worker` processes: a set of tasks all complete, the files are there
// and correct, the counts add up, and every decision is fetched from the registry exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRegistry } from '../fake-registry/index.ts';
import type { TestGate } from '../support/gate.ts';
import {
  PER_DAY,
  createTask,
  eventually,
  readOutput,
  reviewCounts,
  startWorkerRig,
  taskOf,
  windowParams,
  type WorkerProcess,
  type WorkerRig,
} from './support.ts';

describe('two workers, end to end', () => {
  let rig: WorkerRig;
  let t: TestGate;
  let registry: FakeRegistry;

  const storedCount = async (): Promise<number> =>
    (await t.ok(`{ documents(first: 1) { totalCount } }`)).documents.totalCount;

  beforeAll(async () => {
    rig = await startWorkerRig({}, { latencyMs: 5 });
    ({ t, registry } = rig);
  });
  afterAll(() => rig?.stop());

  it('completes every task, writes each decision once, and skips what another worker already has', async () => {
    const workers: WorkerProcess[] = await Promise.all(['e2e-a', 'e2e-b'].map((name) => rig.start(name)));

    // Wave 1: six tasks over disjoint three-day windows (12 decisions each).
    const wave1: string[] = [];
    for (let i = 0; i < 6; i++) {
      const from = new Date(Date.UTC(2024, 2, 1 + i * 3)).toISOString().slice(0, 10);
      const to = new Date(Date.UTC(2024, 2, 3 + i * 3)).toISOString().slice(0, 10);
      wave1.push(await createTask(t, { searchParams: windowParams(from, to), maxDocuments: 100 }));
    }
    const done1 = await eventually(
      async () => {
        const tasks = await Promise.all(wave1.map((id) => taskOf(t, id)));
        return tasks.every((task) => task.status === 'COMPLETED') && tasks;
      },
      45_000,
      'wave 1 to complete',
    );
    for (const task of done1) {
      expect(task).toMatchObject({ documentsDownloaded: 3 * PER_DAY, documentsSkipped: 0, documentsFailed: 0 });
      expect(task.resultSummary).toMatchObject({
        search: { total: 3 * PER_DAY },
        documents: { expected: 3 * PER_DAY, downloaded: 3 * PER_DAY },
      });
    }
    // A worker completes a task once its decisions are stored, unless an upload try failed (a busy gate, a timeout)
    // or --upload-wait ran out: then they follow from its outbox after the completion. Wave 2 counts on the gate
    // knowing them, and the workers must still run to send them: wait for them here.
    await eventually(async () => (await storedCount()) === 6 * 3 * PER_DAY, 60_000, 'wave 1 decisions stored');

    // Both workers stop cleanly on SIGTERM.
    for (const worker of workers) worker.kill('SIGTERM');
    expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual([0, 0]);

    // Wave 2, on a third worker with an empty output dir: the task overlaps the last task of wave 1
    // (3 days the gate knows) and adds 2 new days; only the new days are fetched.
    const third = await rig.start('e2e-c', [], false);
    const overlap = await createTask(t, { searchParams: windowParams('2024-03-16', '2024-03-20'), maxDocuments: 100 });
    const done2 = await eventually(
      async () => {
        const task = await taskOf(t, overlap);
        return task.status === 'COMPLETED' && task;
      },
      30_000,
      'the overlapping task to complete',
    );
    expect(done2).toMatchObject({
      documentsDownloaded: 2 * PER_DAY,
      documentsSkipped: 3 * PER_DAY,
      documentsFailed: 0,
    });
    expect(done2.resultSummary.documents).toMatchObject({ skippedKnown: 3 * PER_DAY, downloaded: 2 * PER_DAY });

    // Files: every decision exactly once across both output dirs, complete and matching the registry.
    const onDisk = rig.workers.flatMap((worker) => readOutput(worker.outputDir));
    const ids = onDisk.map((doc) => doc.documentId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(6 * 3 * PER_DAY + 2 * PER_DAY);
    for (const doc of onDisk) {
      expect(doc.json).toMatchObject({
        documentId: doc.documentId,
        sourceUrl: `${registry.url}/Review/${doc.documentId}`,
        sizeBytes: Buffer.byteLength(doc.html),
      });
      expect(doc.json.row).toMatchObject({ documentId: doc.documentId, courtName: expect.any(String) });
      expect(doc.json.decision).toHaveProperty('caseNumber');
      expect(doc.json.fetchedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(doc.html.length).toBeGreaterThan(100);
      expect(doc.text.length).toBeGreaterThan(10);
    }

    // The registry saw each decision once; the gate knows every one of them.
    const reviews = reviewCounts(registry.requestLog);
    expect(reviews.size).toBe(ids.length);
    expect([...reviews.values()].every((count) => count === 1)).toBe(true);
    // (the overlapping task's uploads may follow its completion, as above)
    await eventually(async () => (await storedCount()) >= ids.length, 60_000, 'wave 2 decisions stored');
    expect(await storedCount()).toBe(ids.length);
    expect(readOutput(third.outputDir)).toHaveLength(2 * PER_DAY);
    third.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });
});
