// Planning whole searches against the fake registry with generated totals: the plan's PLAN tasks are run
// by runPlanTask (the worker's code) through a real registry session and the worker's GateClient; download
// chunks are "downloaded" by completing them with their size (nothing is stored: coverage counts them missing).
// Then coverage must prove every window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GateClient } from '../../client/gate/client.ts';
import { pageRange } from '../../client/rules/plan-window.ts';
import { parseRegistryDate } from '../../client/rules/registry-dates.ts';
import type { SearchParams } from '../../client/rules/search-fields.ts';
import { RegistrySession } from '../../client/registry/session.ts';
import { runPlanTask } from '../../client/worker/plan.ts';
import { prisma } from '../../server/db/database.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';

const DAY_MS = 86_400_000;
const dayOf = (registryDate: string) => Date.parse(`${parseRegistryDate(registryDate)}T00:00:00Z`) / DAY_MS;
const region = (params: SearchParams) => (params.CourtRegion as string[] | undefined)?.[0];

/** Decisions per day and decision form, by region: every window's total is the sum of its days, so splits add up. */
function perDay(params: SearchParams, day: number, form: string): number {
  switch (region(params)) {
    case '11': // months of 2023 well under the cap: ~3,000-5,000 a month
      return form === '5' ? 100 + (day % 7) * 10 : 5;
    case '14': // March 2024: 60,000 a day, so only single days fit under the cap
      return form === '5' ? 60_000 : 0;
    case '21': // 15.05.2024: 150,000 rulings (a gap even alone), 20,000 of every other form
      return form === '5' ? 150_000 : 20_000;
    default:
      return 0;
  }
}
const FORMS = ['1', '2', '3', '4', '5', '6', '10', '7'];

function totalFor(params: SearchParams): number {
  const first = dayOf(params.RegDateBegin as string);
  const last = dayOf(params.RegDateEnd as string);
  const forms = (params.VRType as string[] | undefined) ?? FORMS;
  let total = 0;
  for (let day = first; day <= last; day++) for (const form of forms) total += perDay(params, day, form);
  return total;
}

const CREATE_PLAN = `mutation($input: CreatePlanInput!) { createPlan(input: $input) { created windows plan { id chunkSize splitFields } tasks { id kind planOptions } } }`;
const COVERAGE = `query($id: ID!) { coverage(planId: $id) {
  expected planned downloaded missing gaps windowsPlanning tasksPending tasksCompleted complete
  windows { from to narrowedBy state expected planned downloaded missing chunks chunksMissing tasksCompleted complete planTaskId } } }`;

let t: TestGate;
let registry: FakeRegistry;
let session: RegistrySession;
let gate: GateClient;
let clientId: string;
const quiet = { info: () => {}, debug: () => {} };

beforeAll(async () => {
  [t, registry] = await Promise.all([startTestGate('postgres'), startFakeRegistry({ totalFor })]);
  session = await RegistrySession.open({
    baseUrl: registry.url,
    transport: 'http',
    politeness: { minDelayMs: 0, maxConcurrency: 8 },
  });
  gate = new GateClient({ apiUrl: t.url, apiKey: ADMIN_KEY });
  clientId = (await t.ok(`mutation { registerClient(input: { name: "planner" }) { id } }`)).registerClient.id;
});
afterAll(async () => {
  await session?.close();
  await gate?.close();
  await registry?.close();
  await t?.stop();
});

/** Runs every claimable task: PLAN tasks through runPlanTask, DOWNLOAD chunks completed with their size. */
async function drain(): Promise<{ plans: number; downloads: number }> {
  const ran = { plans: 0, downloads: 0 };
  for (;;) {
    const { claimTasks } = await t.ok(
      `mutation($c: ID!) { claimTasks(input: { clientId: $c, limit: 500 }) { leaseToken task { id kind searchParams maxDocuments } } }`,
      { c: clientId },
    );
    if (claimTasks.length === 0) return ran;
    const leases = claimTasks as Array<{
      leaseToken: string;
      task: { id: string; kind: string; searchParams: unknown; maxDocuments: number };
    }>;
    for (const lease of leases.filter((l) => l.task.kind === 'PLAN')) {
      const result = await runPlanTask({ task: lease.task, lease, session, gate, log: quiet });
      // The worker loop completes what runPlanTask returns: a harmless repeat of the plan completion.
      const again = await gate.completeTask({
        taskId: lease.task.id,
        leaseToken: lease.leaseToken,
        documentsDownloaded: 0,
        resultSummary: result.resultSummary,
      });
      expect(again.status).toBe('COMPLETED');
      ran.plans++;
    }
    const downloads = leases.filter((l) => l.task.kind === 'DOWNLOAD');
    if (downloads.length) {
      const completions = downloads.map((l) => ({
        taskId: l.task.id,
        leaseToken: l.leaseToken,
        documentsDownloaded: l.task.maxDocuments,
      }));
      const { completeTasks } = await t.ok(
        `mutation($c: [CompleteTaskInput!]!) { completeTasks(input: { completions: $c }) { errorCode } }`,
        { c: completions },
      );
      expect(completeTasks.filter((r: { errorCode: string | null }) => r.errorCode)).toEqual([]);
      ran.downloads += downloads.length;
    }
  }
}

async function coverage(planId: string) {
  return (await t.ok(COVERAGE, { id: planId })).coverage;
}

/** Download tasks per leaf window: page ranges start at 1, follow each other without overlap, and sum to the total. */
async function expectContiguousChunks(windows: Array<{ planTaskId: string; expected: number; state: string }>) {
  for (const window of windows.filter((w) => w.state === 'PLANNED')) {
    const chunks = await prisma.task.findMany({
      where: { parentId: window.planTaskId, kind: 'DOWNLOAD' },
      orderBy: { startPage: 'asc' },
    });
    let next = 1;
    for (const chunk of chunks) {
      const [first, last] = pageRange(chunk, 25);
      expect(first).toBe(next);
      next = last + 1;
    }
    expect(chunks.reduce((sum, c) => sum + c.maxDocuments, 0)).toBe(window.expected);
  }
}

const taskCount = () => prisma.task.count();

describe('planning a whole search', () => {
  it('a year whose months are all under the cap: one window per month, chunks cover each month exactly', async () => {
    const input = {
      searchParams: { CourtRegion: '11', INSType: '1' },
      from: '01.01.2023',
      to: '31.12.2023',
      window: 'month',
      chunkSize: 1000,
    };
    const { createPlan } = await t.ok(CREATE_PLAN, { input });
    expect(createPlan).toMatchObject({
      created: true,
      windows: 12,
      plan: { chunkSize: 1000, splitFields: ['VRType', 'CSType'] },
    });
    expect(createPlan.tasks[0]).toMatchObject({ kind: 'PLAN', planOptions: { chunkSize: 1000, pageBudget: null } });
    const before = await coverage(createPlan.plan.id);
    expect(before).toMatchObject({ windowsPlanning: 12, complete: false });

    const ran = await drain();
    expect(ran.plans).toBe(12);
    const c = await coverage(createPlan.plan.id);
    expect(c.windows).toHaveLength(12);
    expect(c.windows.map((w: { from: string }) => w.from)).toEqual(
      Array.from({ length: 12 }, (_, m) => `2023-${String(m + 1).padStart(2, '0')}-01`),
    );
    for (const w of c.windows) {
      expect(w).toMatchObject({ state: 'PLANNED', chunksMissing: 0, complete: true });
      expect(w.expected).toBe(
        totalFor({
          CourtRegion: ['11'],
          RegDateBegin: w.from.split('-').reverse().join('.'),
          RegDateEnd: w.to.split('-').reverse().join('.'),
        }),
      );
      expect(w.planned).toBe(w.expected);
      // drain() completes chunks with counters alone and stores no document: coverage counts what is stored
      // (test/operator/coverage-stored.test.ts), so all of it is missing
      expect(w).toMatchObject({ downloaded: 0, missing: w.expected });
    }
    expect(c).toMatchObject({ gaps: 0, windowsPlanning: 0, complete: true });
    expect(c.expected).toBe(c.planned);
    await expectContiguousChunks(c.windows);

    // Planning it again adds nothing; a plan over one of its months finds that window already planned.
    const count = await taskCount();
    expect((await t.ok(CREATE_PLAN, { input })).createPlan).toMatchObject({
      created: false,
      tasks: [],
      plan: { id: createPlan.plan.id },
    });
    const june = (await t.ok(CREATE_PLAN, { input: { ...input, from: '01.06.2023', to: '30.06.2023' } })).createPlan;
    expect(june).toMatchObject({ created: true, tasks: [], windows: 1 });
    expect(await drain()).toEqual({ plans: 0, downloads: 0 });
    expect(await taskCount()).toBe(count);
    expect(await coverage(june.plan.id)).toMatchObject({
      complete: true,
      windows: [{ from: '2023-06-01', state: 'PLANNED', complete: true }],
    });
  });

  it('a month over the cap splits in halves down to single days', async () => {
    const input = {
      searchParams: { CourtRegion: '14' },
      from: '01.03.2024',
      to: '31.03.2024',
      window: 'month',
      chunkSize: 1000,
    };
    const { createPlan } = await t.ok(CREATE_PLAN, { input });
    const ran = await drain();
    const c = await coverage(createPlan.plan.id);
    expect(c.windows).toHaveLength(31);
    expect(c.windows.every((w: { from: string; to: string }) => w.from === w.to)).toBe(true);
    expect(c.windows.map((w: { expected: number }) => w.expected)).toEqual(Array(31).fill(60_000));
    expect(c).toMatchObject({
      expected: 31 * 60_000,
      planned: 31 * 60_000,
      downloaded: 0, // nothing stored (see above)
      missing: 31 * 60_000,
      gaps: 0,
      complete: true,
    });
    expect(ran.plans).toBe(61); // a binary tree with 31 leaves
    await expectContiguousChunks(c.windows);
    const count = await taskCount();
    expect((await t.ok(CREATE_PLAN, { input })).createPlan).toMatchObject({ created: false, tasks: [] });
    expect(await taskCount()).toBe(count);
  });

  it('a day over the cap is split by decision form, and a form still over it is reported as a gap', async () => {
    const input = {
      searchParams: { CourtRegion: '21' },
      from: '15.05.2024',
      to: '15.05.2024',
      window: 'day',
      chunkSize: 1000,
      splitFields: ['VRType'],
    };
    const { createPlan } = await t.ok(CREATE_PLAN, { input });
    await drain();
    const c = await coverage(createPlan.plan.id);
    expect(c.windows).toHaveLength(8);
    const gap = c.windows.filter((w: { state: string }) => w.state === 'GAP');
    expect(gap).toEqual([
      expect.objectContaining({
        narrowedBy: { VRType: ['5'] },
        expected: 150_000,
        planned: 0,
        chunks: 0,
        complete: false,
      }),
    ]);
    const planned = c.windows.filter((w: { state: string }) => w.state === 'PLANNED');
    expect(planned).toHaveLength(7);
    for (const w of planned)
      expect(w).toMatchObject({ expected: 20_000, planned: 20_000, downloaded: 0, missing: 20_000, complete: true });
    expect(c).toMatchObject({ gaps: 1, expected: 290_000, planned: 140_000, complete: false });
    await expectContiguousChunks(c.windows);
  });
});

describe('completePlanTask', () => {
  it('checks the decision against the plan rules, is fenced by the lease token and idempotent', async () => {
    const { createPlan } = await t.ok(CREATE_PLAN, {
      input: { searchParams: { CourtRegion: '11' }, from: '01.02.2022', to: '28.02.2022', chunkSize: 1000 },
    });
    const { claimTask } = await t.ok(
      `mutation($c: ID!) { claimTask(input: { clientId: $c }) { leaseToken task { id kind searchParams } } }`,
      { c: clientId },
    );
    expect(claimTask.task).toMatchObject({ id: createPlan.tasks[0].id, kind: 'PLAN' });
    const COMPLETE = `mutation($input: CompletePlanTaskInput!) { completePlanTask(input: $input) { outcome created existing task { status totalExpected } } }`;
    const base = { taskId: claimTask.task.id, leaseToken: claimTask.leaseToken, total: 1500 };

    const wrong = await t.gql(COMPLETE, { input: { ...base, outcome: 'GAP', children: [] } });
    expect(wrong.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(wrong.errors?.[0].message).toMatch(/a total of 1500 .* means CHUNKS/);
    const params = claimTask.task.searchParams;
    const short = await t.gql(COMPLETE, {
      input: {
        ...base,
        outcome: 'CHUNKS',
        children: [{ kind: 'DOWNLOAD', searchParams: params, startPage: 1, maxDocuments: 1000 }],
      },
    });
    expect(short.errors?.[0].message).toMatch(/children: 1 reported, 2 expected/);
    expect(await prisma.task.count({ where: { parentId: base.taskId } })).toBe(0);

    const children = [
      { kind: 'DOWNLOAD', searchParams: params, startPage: 1, maxDocuments: 1000 },
      { kind: 'DOWNLOAD', searchParams: params, startPage: 41, maxDocuments: 500 },
    ];
    const done = (await t.ok(COMPLETE, { input: { ...base, outcome: 'CHUNKS', children } })).completePlanTask;
    expect(done).toEqual({
      outcome: 'CHUNKS',
      created: 2,
      existing: 0,
      task: { status: 'COMPLETED', totalExpected: 1500 },
    });
    expect((await t.ok(COMPLETE, { input: { ...base, outcome: 'CHUNKS', children } })).completePlanTask).toMatchObject({
      outcome: 'CHUNKS',
      created: 0,
    });
    const stale = await t.gql(COMPLETE, {
      input: { ...base, leaseToken: '00000000-0000-4000-8000-000000000000', outcome: 'CHUNKS', children },
    });
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'LEASE_LOST' });
    const events = await prisma.taskEvent.findMany({ where: { taskId: base.taskId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['CREATED', 'CLAIMED', 'COMPLETED']);
    expect(events[2].data).toMatchObject({ outcome: 'CHUNKS', total: 1500, created: 2 });
    await drain();
  });
});
