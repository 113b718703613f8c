// Failed documents and worker logs on PostgreSQL: a lease holder reports the decisions that failed (with the
// reason, court and date) and its log lines with progress; the gate keeps them (fenced by the lease, logs bounded
// per lease); `reyestr documents failed` lists them, `documents retry` / `--retry` turn them into small tasks (once
// per failure), and a decision that is stored later leaves the list.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uploadBatch } from '../../client/corpus/upload.ts';
import { prisma } from '../../server/db/database.ts';
import { contentClient, packedFixture } from '../corpus/support.ts';
import { CLAIM, CREATE_TASK, REGISTER, RELEASE, region11 } from '../gate/operations.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';

const run = promisify(execFile);
let t: TestGate;
let clientId: string;
let taskId: string;
let token: string;

const PROGRESS = `mutation($input: ReportProgressInput!) { reportProgress(input: $input) { leaseExpiresAt } }`;
const LOG = `query($id: ID!) { task(id: $id) { workerLog } }`;

beforeAll(async () => {
  t = await startTestGate('postgres');
  clientId = (await t.ok(REGISTER, { name: 'failing-worker' })).registerClient.id;
  taskId = (await t.ok(CREATE_TASK, { input: { searchParams: region11 } })).createTask.id;
  token = (await t.ok(CLAIM, { clientId })).claimTask.leaseToken;
});
afterAll(async () => {
  await t?.stop();
});

const cli = (...args: string[]) =>
  run(process.execPath, ['bin/reyestr.mjs', ...args], {
    env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY },
  });
const progress = (extra: Record<string, unknown>, leaseToken = token) =>
  t.gql(PROGRESS, { input: { taskId, leaseToken, documentsDownloaded: 1, documentsFailed: 2, ...extra } });

it('progress carries failed decisions and log lines; a stale lease records neither', async () => {
  const stale = await progress(
    { failedDocuments: [{ documentId: '900000099', errorClass: 'PARSE', message: 'x' }], logLines: ['stale'] },
    '00000000-0000-4000-8000-000000000000',
  );
  expect(stale.errors?.[0].extensions?.code).toBe('LEASE_LOST');

  const sent = await progress({
    failedDocuments: [
      {
        documentId: '900000001',
        errorClass: 'PARSE',
        message: 'no #txtdepository',
        courtName: 'Київський суд',
        adoptedOn: '2024-03-01',
      },
      { documentId: '900000002', errorClass: 'REGISTRY_ERROR', message: 'HTTP 404' },
    ],
    logLines: ['12:00:01 INFO  search found 3', '12:00:02 WARN  document failed documentId=900000001'],
  });
  expect(sent.errors).toBeUndefined();
  expect(await prisma.failedDocument.count()).toBe(2);
  expect(await prisma.failedDocument.count({ where: { documentId: '900000099' } })).toBe(0);
  expect((await t.ok(LOG, { id: taskId })).task.workerLog).toEqual([
    '12:00:01 INFO  search found 3',
    '12:00:02 WARN  document failed documentId=900000001',
  ]);
});

it('documents failed lists them with reason, task, worker and when; filters by class, court and time', async () => {
  const all = JSON.parse((await cli('documents', 'failed', '--json')).stdout);
  expect(all.totalCount).toBe(2);
  const parse = JSON.parse((await cli('documents', 'failed', '--class', 'parse', '--json')).stdout);
  expect(parse.failedDocuments).toEqual([
    expect.objectContaining({
      documentId: '900000001',
      errorClass: 'PARSE',
      message: 'no #txtdepository',
      failures: 1,
      courtName: 'Київський суд',
      adoptedOn: '2024-03-01',
      task: { id: taskId },
      worker: { id: clientId, name: 'failing-worker' },
    }),
  ]);
  expect(JSON.parse((await cli('documents', 'failed', '--court', 'київ', '--json')).stdout).totalCount).toBe(1);
  expect(JSON.parse((await cli('documents', 'failed', '--until', '1d', '--json')).stdout).totalCount).toBe(0);
  const table = (await cli('documents', 'failed')).stdout;
  expect(table).toMatch(/900000002\s+REGISTRY_ERROR\s+\S+\s+1\s+\S+\s+failing-worker/);

  // The same decision failing again is one row, counted twice.
  await progress({ failedDocuments: [{ documentId: '900000002', errorClass: 'NETWORK', message: 'timeout' }] });
  const again = await prisma.failedDocument.findUniqueOrThrow({ where: { documentId: '900000002' } });
  expect(again).toMatchObject({ failures: 2, errorClass: 'NETWORK', message: 'timeout' });
});

it('the gate keeps the last 100 log lines of the lease; a new lease starts a new log; tasks get shows it', async () => {
  for (let batch = 0; batch < 3; batch++)
    await progress({ logLines: Array.from({ length: 50 }, (_, i) => `line ${batch * 50 + i}`) });
  const kept = (await t.ok(LOG, { id: taskId })).task.workerLog;
  expect(kept).toHaveLength(100);
  expect(kept[0]).toBe('line 50');
  expect(kept[99]).toBe('line 149');
  const long = await progress({ logLines: ['x'.repeat(2000)] });
  expect(long.errors).toBeUndefined();
  expect((await t.ok(LOG, { id: taskId })).task.workerLog.at(-1)).toHaveLength(500);

  expect((await cli('tasks', 'get', taskId)).stdout).toMatch(/worker log \(this lease, oldest first\):\n {2}line 51\n/);

  await t.ok(RELEASE, { leases: [{ taskId, leaseToken: token }] });
  token = (await t.ok(CLAIM, { clientId })).claimTask.leaseToken;
  await progress({ logLines: ['second lease'] });
  expect((await t.ok(LOG, { id: taskId })).task.workerLog).toEqual(['second lease']);
});

it('retrying makes one small RegNumber task per decision and failure; a stored decision leaves the list', async () => {
  const one = await cli('documents', 'retry', '900000001');
  expect(one.stdout).toContain('1 of 1 are failed documents; 1 retry task(s) created');
  const row = await prisma.failedDocument.findUniqueOrThrow({ where: { documentId: '900000001' } });
  const retryTask = await prisma.task.findUniqueOrThrow({ where: { id: row.retryTaskId! } });
  expect(retryTask).toMatchObject({
    kind: 'DOWNLOAD',
    status: 'PENDING',
    maxDocuments: 1,
    searchParams: { RegNumber: '900000001' },
  });
  // Retrying again before it ran creates nothing new.
  expect((await cli('documents', 'retry', '900000001')).stdout).toContain('0 retry task(s) created');
  const unknown = await cli('documents', 'retry', '123').catch((e) => e);
  expect(unknown.code).toBe(3);

  const bulk = JSON.parse((await cli('documents', 'failed', '--class', 'network', '--retry', '--json')).stdout);
  expect(bulk).toEqual({ matched: 1, tasksCreated: 1 });
  const refused = await t.gql(`mutation { retryFailedDocuments(filter: {}) { matched } }`);
  expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

  // The decision arrives after all: it is no longer a failure.
  const stored = await uploadBatch(contentClient(t.url, ADMIN_KEY), [await packedFixture('900000001')]);
  expect(stored.get('900000001')).toMatchObject({ status: 'stored' });
  expect((await t.ok(`{ failedDocuments { totalCount edges { node { documentId } } } }`)).failedDocuments).toEqual({
    totalCount: 1,
    edges: [{ node: { documentId: '900000002' } }],
  });
});
