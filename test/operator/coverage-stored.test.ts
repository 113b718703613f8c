// Coverage counts what the gate stored, not what a task's last attempt reported (issue 17): a chunk that stored 4
// documents, failed, and stored 4 more on its next attempt has 8 downloaded, though its counters (which restart
// with each attempt) say 4. Documents its last attempt skipped because another task had stored them are
// `skipped`, apart from those still `missing`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { cliFor } from './cli-support.ts';

let t: TestGate;
let clientId: string;
const { cli } = cliFor(() => t.url);

beforeAll(async () => {
  t = await startTestGate('postgres');
  clientId = (await t.ok(`mutation { registerClient(input: { name: "coverage-worker" }) { id } }`)).registerClient.id;
});
afterAll(async () => {
  await t?.stop();
});

const CLAIM = `mutation($c: ID!) { claimTask(input: { clientId: $c }) { leaseToken task { id kind searchParams attempts } } }`; // attempts: failed ones
const COVERAGE = `query($id: ID!) { coverage(planId: $id) {
  downloaded skipped missing complete
  windows { planned downloaded skipped missing chunks tasksCompleted complete } } }`;

/** Stores documents as the upload path records them: content in the store, the task that sent them. */
async function store(taskId: string | null, ids: string[]) {
  for (const documentId of ids)
    await prisma.document.create({
      data: { documentId, taskId, clientId, sha256: 'a'.repeat(64), sizeBytes: 1, storedAt: new Date() },
    });
}

it("a window's downloaded counts stored documents over every attempt; skipped and missing are apart", async () => {
  const { createPlan } = await t.ok(
    `mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }`,
    {
      input: {
        searchParams: { CourtRegion: '11' },
        from: '01.02.2022',
        to: '01.02.2022',
        window: 'day',
        chunkSize: 1000,
      },
    },
  );
  const planId = createPlan.plan.id;
  const plan = (await t.ok(CLAIM, { c: clientId })).claimTask;
  expect(plan.task.kind).toBe('PLAN');
  await t.ok(`mutation($input: CompletePlanTaskInput!) { completePlanTask(input: $input) { outcome created } }`, {
    input: {
      taskId: plan.task.id,
      leaseToken: plan.leaseToken,
      total: 10,
      outcome: 'CHUNKS',
      children: [{ kind: 'DOWNLOAD', searchParams: plan.task.searchParams, startPage: 1, maxDocuments: 10 }],
    },
  });
  // another task stored one of the window's decisions before
  const other = (await t.ok(`mutation { createTask(input: { searchParams: { CourtRegion: "11" } }) { id } }`))
    .createTask;
  await store(other.id, ['d10']);
  await t.ok(`mutation($id: ID!) { cancelTask(input: { id: $id }) { status } }`, { id: other.id });

  const first = (await t.ok(CLAIM, { c: clientId })).claimTask;
  expect(first.task.kind).toBe('DOWNLOAD');
  await store(first.task.id, ['d1', 'd2', 'd3', 'd4']);
  await t.ok(`mutation($input: FailTaskInput!) { failTask(input: $input) { status } }`, {
    input: { taskId: first.task.id, leaseToken: first.leaseToken, errorClass: 'NETWORK', message: 'reset' },
  });
  expect((await t.ok(COVERAGE, { id: planId })).coverage).toMatchObject({ downloaded: 4, skipped: 0, missing: 6 });

  const second = (await t.ok(CLAIM, { c: clientId })).claimTask;
  expect(second.task).toMatchObject({ id: first.task.id, attempts: 1 });
  await store(second.task.id, ['d5', 'd6', 'd7', 'd8']);
  // its own four from the first attempt and d10 were skipped as stored; d9 failed
  await t.ok(`mutation($input: CompleteTaskInput!) { completeTask(input: $input) { status documentsDownloaded } }`, {
    input: {
      taskId: second.task.id,
      leaseToken: second.leaseToken,
      documentsDownloaded: 4,
      documentsSkipped: 5,
      documentsFailed: 1,
    },
  });
  const { coverage } = await t.ok(COVERAGE, { id: planId });
  expect(coverage.windows).toEqual([
    { planned: 10, downloaded: 8, skipped: 1, missing: 1, chunks: 1, tasksCompleted: 1, complete: true },
  ]);
  expect(coverage).toMatchObject({ downloaded: 8, skipped: 1, missing: 1 });
});

it('reyestr coverage shows downloaded, skipped and missing apart, a window a line in 80 columns', async () => {
  const [planId] = (await prisma.plan.findMany({ select: { id: true } })).map((p) => p.id);
  const run = await cli(['coverage', '--plan', planId, '--all']);
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(
    /COMPLETE; expected 10, planned 10, downloaded 8\n {2}skipped 1 \(another task had them\), missing 1;/,
  );
  const table = run.stdout.slice(run.stdout.indexOf('WINDOW'));
  expect(table.split('\n')[0]).toMatch(/^WINDOW +STATE +EXP +DOWN +SKIP +MISS +P\/R\/D\/F +TASK$/);
  expect(table).toMatch(/^2022-02-01 +PLANNED +10 +8 +1 +1 +0\/0\/1\/0 +[0-9a-f]{8}$/m);
  for (const line of table.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
});
