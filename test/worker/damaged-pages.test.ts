// Pages from the wild, end to end with real worker processes: a results page cut off mid-table is fetched again
// and never taken for the whole page (a task whose page stays cut short fails as PARSE, it does not complete with
// documents missing), and one whose pages hold fewer documents than its search promised fails on the shortfall;
// a row without its /Review/<id> link is one failed document and the rest are downloaded; a
// decision page of 8 MB is downloaded by a worker under the recommended heap limits, and one over the page size
// limit is refused as one failed document — the worker lives on.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECOMMENDED_WORKER_NODE_FLAGS } from '../../client/worker/options.ts';
import type { FakeRegistry } from '../fake-registry/index.ts';
import type { TestGate } from '../support/gate.ts';
import { createTask, eventually, readOutput, startWorkerRig, taskOf, windowParams, type WorkerRig } from './support.ts';

const MB = 1024 * 1024;
const finished = (t: TestGate, id: string, what: string, timeoutMs = 60_000) =>
  eventually(
    async () => {
      const task = await taskOf(t, id);
      return ['COMPLETED', 'FAILED', 'DEAD'].includes(task.status) && task;
    },
    timeoutMs,
    what,
  );

describe('damaged registry pages', () => {
  let rig: WorkerRig;
  let t: TestGate;
  let registry: FakeRegistry;

  beforeAll(async () => {
    rig = await startWorkerRig();
    ({ t, registry } = rig);
  });
  afterAll(() => rig?.stop());

  it('a results page cut off mid-table once: fetched again, every document of the task downloaded', async () => {
    // 19 days of 4 decisions, the first 75 of them: 3 pages of 25. Page 2 comes cut off inside its 10th row once.
    registry.setFaults({ rules: [{ kind: 'truncate', routes: ['page'], row: 10, after: 0, times: 1 }] });
    registry.resetLog();
    const worker = await rig.start('truncate-once');
    const taskId = await createTask(t, { searchParams: windowParams('2022-01-01', '2022-01-19'), maxDocuments: 75 });
    const done = await finished(t, taskId, 'the task to finish');
    expect(done).toMatchObject({ status: 'COMPLETED', documentsFailed: 0 });
    expect(done.documentsDownloaded + done.documentsSkipped).toBe(75);
    expect(readOutput(worker.outputDir)).toHaveLength(75);
    const pageRequests = registry.requestLog.filter((entry) => entry.route === 'page').map((entry) => entry.path);
    expect(pageRequests).toEqual(['/Page/2', '/Page/2', '/Page/3']);
    await worker.waitForLine(/results page is incomplete; fetching it again/);
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('a results page that stays cut off: the task fails as PARSE with the reason, never a clean COMPLETED', async () => {
    registry.setFaults({ rules: [{ kind: 'truncate', routes: ['page'], row: 10 }] });
    const worker = await rig.start('truncate-always');
    const taskId = await createTask(t, {
      searchParams: windowParams('2022-02-01', '2022-02-19'),
      maxDocuments: 75,
      maxAttempts: 1,
    });
    const done = await finished(t, taskId, 'the task to fail');
    expect(done).toMatchObject({ status: 'DEAD', lastErrorClass: 'PARSE' });
    expect(done.lastError).toMatch(/results page 2 .* came incomplete 3 times: 10 rows where the paging says 25/);
    registry.setFaults({});
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('a search that loses results while its pages are read: the shortfall fails the task, never a clean COMPLETED', async () => {
    // 18 days: 72 decisions on 3 pages. Page 3 comes from a search that has lost 10 of them since (whole by its own
    // paging: 12 rows of 62): the task reconciles 62 handled against the 72 the search promised.
    registry.setFaults({ rules: [{ kind: 'shrink', routes: ['page'], shrinkBy: 10 }] });
    const worker = await rig.start('shrinking-search');
    const taskId = await createTask(t, {
      searchParams: windowParams('2022-05-01', '2022-05-18'),
      maxDocuments: 100,
      maxAttempts: 1,
    });
    const done = await finished(t, taskId, 'the task to fail');
    expect(done).toMatchObject({ status: 'DEAD', lastErrorClass: 'REGISTRY_ERROR' });
    expect(done.lastError).toBe(
      'the search promised 72 documents from page 1 (total 72, 25 per page) but its result pages held 62: 10 missing',
    );
    registry.setFaults({});
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('a results row without its /Review/<id> link: one failed document with its reason, the rest downloaded', async () => {
    registry.setFaults({ rules: [{ kind: 'unreadable-row', routes: ['search'], row: 3 }] });
    const worker = await rig.start('unreadable-row');
    const taskId = await createTask(t, { searchParams: windowParams('2022-03-01', '2022-03-04'), maxDocuments: 16 });
    const done = await finished(t, taskId, 'the task to complete');
    expect(done).toMatchObject({ status: 'COMPLETED', documentsDownloaded: 15, documentsFailed: 1 });
    expect(done.resultSummary.failedDocuments).toEqual([
      { page: 1, row: 3, error: expect.stringMatching(/^row 3 has no \/Review\/<digits> link/) },
    ]);
    expect(readOutput(worker.outputDir)).toHaveLength(15);
    registry.setFaults({});
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('under the recommended heap flags: an 8 MB decision is downloaded, one over the page size limit is refused, the worker lives on', async () => {
    registry.setFaults({
      rules: [
        { kind: 'huge-page', routes: ['review'], times: 1, sizeBytes: 8 * MB },
        { kind: 'huge-page', routes: ['review'], after: 1, times: 1, sizeBytes: 24 * MB },
      ],
    });
    registry.resetLog();
    const worker = await rig.start('huge-pages', ['--concurrency', '2'], true, RECOMMENDED_WORKER_NODE_FLAGS);
    const taskId = await createTask(t, { searchParams: windowParams('2022-04-01', '2022-04-02'), maxDocuments: 8 });
    const done = await finished(t, taskId, 'the task to complete', 120_000);
    expect(done).toMatchObject({ status: 'COMPLETED', documentsDownloaded: 7, documentsFailed: 1 });
    expect(done.resultSummary.failedDocuments).toEqual([
      {
        documentId: expect.any(String),
        error: expect.stringMatching(/is over the page size limit: [\d.]+ MB( or more)?, the limit is 16 MB; refused/),
      },
    ]);
    // The gate has it on its failed list, with the reason, and the worker's log lines of the task.
    const { failedDocuments } = await t.ok(
      `query($f: FailedDocumentFilter) { failedDocuments(filter: $f) { edges { node { documentId errorClass message task { id } } } } }`,
      { f: { taskId } },
    );
    expect(failedDocuments.edges).toEqual([
      {
        node: {
          documentId: done.resultSummary.failedDocuments[0].documentId,
          errorClass: 'PARSE',
          message: expect.stringMatching(/over the page size limit/),
          task: { id: taskId },
        },
      },
    ]);
    const { task } = await t.ok(`query($id: ID!) { task(id: $id) { workerLog } }`, { id: taskId });
    expect(task.workerLog.join('\n')).toMatch(/WARN +document failed documentId=\d+/);
    const files = readOutput(worker.outputDir);
    const huge = files.find((doc) => doc.html.length > 4 * MB);
    expect(huge).toBeDefined();
    // The page is 8 MB; the decision inside it, unescaped, a little less.
    expect(statSync(join(worker.outputDir, huge!.documentId, `${huge!.documentId}.html`)).size).toBeGreaterThan(6 * MB);
    expect(huge!.text.split('\n').length).toBeGreaterThan(30_000);
    // Alive: it claims and finishes another task.
    expect(worker.child.exitCode).toBeNull();
    registry.setFaults({});
    const next = await createTask(t, { searchParams: windowParams('2022-04-03', '2022-04-03'), maxDocuments: 4 });
    expect(await finished(t, next, 'the next task')).toMatchObject({ status: 'COMPLETED', documentsDownloaded: 4 });
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
