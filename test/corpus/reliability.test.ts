// The corpus under failures, with real worker processes: every decision a worker fetched reaches the store
// exactly once — when its lease was lost meanwhile, when the worker is killed in the middle of an upload batch,
// and when the object store is away for a while under load (CORPUS_OUTAGE_SECONDS, short here; `npm run
// chaos` runs it at 30 s).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import {
  PER_DAY,
  createTask,
  eventually,
  readOutput,
  startWorkerRig,
  taskOf,
  windowParams,
  type WorkerRig,
} from '../worker/support.ts';

const OUTAGE_MS = Number(process.env.CORPUS_OUTAGE_SECONDS ?? 3) * 1000;

/** Every document recorded has its content, and nothing is there twice. */
async function expectStoredOnce(expected: number, s3: TestS3 | null) {
  const rows = await prisma.document.findMany({ select: { documentId: true, storedAt: true, sha256: true } });
  expect(rows).toHaveLength(expected);
  expect(rows.every((r) => r.storedAt && r.sha256)).toBe(true);
  if (s3) {
    const keys = await s3.keys();
    expect(keys).toHaveLength(expected * 3); // three objects per decision: none twice, no orphan
    for (const r of rows) expect(keys.filter((k) => k.includes(`/${r.documentId}/${r.sha256}/`))).toHaveLength(3);
  } else {
    expect(await prisma.documentContent.count()).toBe(expected);
  }
}

async function allCompleted(rig: WorkerRig, ids: string[]) {
  for (const id of ids) if ((await taskOf(rig.t, id)).status !== 'COMPLETED') return false;
  return true;
}

describe('database store', () => {
  let rig: WorkerRig;
  beforeAll(async () => {
    rig = await startWorkerRig({ leaseSeconds: 2, sweepIntervalMs: 500 }, { latencyMs: 60 });
  });
  afterAll(() => rig?.stop());
  afterEach(async () => {
    for (const w of rig.workers) w.kill('SIGKILL');
    await Promise.all(rig.workers.map((w) => w.exited));
  });

  it('kill -9 in the middle of an upload batch: the next start uploads the rest, nothing twice', async () => {
    await prisma.document.deleteMany();
    await prisma.documentContent.deleteMany();
    const task = await createTask(rig.t, { searchParams: windowParams('2023-05-01', '2023-05-05'), maxDocuments: 20 });
    const first = await rig.start('batch-victim', ['--concurrency', '2']);
    await first.waitForLine(/uploading a batch of documents/, 60_000);
    first.kill('SIGKILL');
    await first.exited;
    // Whatever the gate recorded so far has all of its content. Both counts in one statement, so one snapshot:
    // the killed worker's last batch may still be committing at the gate, and two reads could straddle it.
    const [counts] = await prisma.$queryRaw<Array<{ documents: number; contents: number }>>`
      SELECT (SELECT count(*) FROM documents)::int AS documents, (SELECT count(*) FROM document_contents)::int AS contents`;
    expect(counts.contents).toBe(counts.documents);

    const again = await rig.start('batch-victim', [], true);
    await eventually(() => allCompleted(rig, [task]), 90_000, 'the task to complete');
    await eventually(async () => (await prisma.document.count()) === 20, 30_000, 'all 20 stored');
    await expectStoredOnce(20, null);
    await eventually(() => readOutput(again.outboxDir).length === 0, 10_000, 'an empty outbox');
  });

  it('a decision fetched under a lease that was lost meanwhile is stored all the same', async () => {
    await prisma.document.deleteMany();
    await prisma.documentContent.deleteMany();
    const task = await createTask(rig.t, { searchParams: windowParams('2023-06-01', '2023-06-05'), maxDocuments: 20 });
    const worker = await rig.start('frozen', ['--concurrency', '1']);
    await eventually(async () => (await taskOf(rig.t, task)).documentsDownloaded >= 2, 30_000, 'progress');
    worker.kill('SIGSTOP');
    // Past the lease: the sweeper takes the task back.
    await eventually(async () => (await taskOf(rig.t, task)).status === 'PENDING', 30_000, 'the lease to run out');
    worker.kill('SIGCONT');
    await worker.waitForLine(/LEASE_LOST|lease was revoked/, 30_000);
    // What it fetched before and under the lost lease goes up anyway; the task is then done again by someone.
    await rig.start('successor');
    await eventually(() => allCompleted(rig, [task]), 90_000, 'the task to complete');
    await eventually(async () => (await prisma.document.count()) === 20, 30_000, 'all 20 stored');
    await expectStoredOnce(20, null);
    await eventually(() => readOutput(worker.outboxDir).length === 0, 30_000, "the frozen worker's outbox to drain");
  });
});

describe('S3 store away under load', () => {
  let rig: WorkerRig;
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startTestS3();
    rig = await startWorkerRig({ documentStore: s3.storeConfig(), sweepIntervalMs: 500 }, { latencyMs: 20 });
  });
  afterAll(async () => {
    await rig?.stop();
    await s3?.close();
  });

  it(`workers keep downloading through a ${OUTAGE_MS / 1000} s outage and catch up: each decision stored once`, async () => {
    const tasks: string[] = [];
    for (let day = 1; day <= 6; day++) {
      const iso = `2023-07-${String(day).padStart(2, '0')}`;
      tasks.push(await createTask(rig.t, { searchParams: windowParams(iso, iso), maxDocuments: PER_DAY }));
    }
    await s3.stop();
    const outageStarted = Date.now();
    await rig.start('s3-a', ['--concurrency', '2']);
    await rig.start('s3-b', ['--concurrency', '2']);
    // Downloading goes on: tasks complete while nothing can be stored.
    await eventually(async () => (await taskOf(rig.t, tasks[0])).status === 'COMPLETED', 60_000, 'a task to complete');
    expect(await prisma.document.count()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - outageStarted))));
    await s3.start();
    await eventually(() => allCompleted(rig, tasks), 120_000, 'every task to complete');
    await eventually(async () => (await prisma.document.count()) === tasks.length * PER_DAY, 90_000, 'the catch-up');
    await expectStoredOnce(tasks.length * PER_DAY, s3);
  }, 300_000);
});
