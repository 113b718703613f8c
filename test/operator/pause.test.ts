// Pause and resume through the CLI and GraphQL on PostgreSQL: the whole queue, one plan, one follow, one worker
// (drain). Claims skip what is paused in the same statement, so a paused queue hands out nothing at all.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { CLAIM_MANY, CREATE_TASKS, REGISTER, RELEASE, region11 } from '../gate/operations.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';

const run = promisify(execFile);
let t: TestGate;

beforeAll(async () => {
  t = await startTestGate('postgres');
});
afterAll(async () => {
  await t?.stop();
});

const cli = async (...args: string[]) =>
  (
    await run(process.execPath, ['bin/reyestr.mjs', ...args], {
      env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY },
    })
  ).stdout;
const cliJson = async (...args: string[]) => JSON.parse(await cli(...args, '--json'));

async function register(name: string): Promise<string> {
  return (await t.ok(REGISTER, { name })).registerClient.id;
}
async function claim(clientId: string, limit = 50): Promise<Array<{ leaseToken: string; task: { id: string } }>> {
  return (await t.ok(CLAIM_MANY, { clientId, limit })).claimTasks;
}
async function giveBack(leases: Array<{ leaseToken: string; task: { id: string } }>) {
  if (leases.length)
    await t.ok(RELEASE, { leases: leases.map((l) => ({ taskId: l.task.id, leaseToken: l.leaseToken })) });
}

it('a paused queue hands out nothing; leases held run on; resumed, claims work again', async () => {
  const w = await register('pause-queue');
  const created = await t.ok(CREATE_TASKS, { tasks: [{ searchParams: region11 }, { searchParams: region11 }] });
  const held = await claim(w, 1);
  expect(held).toHaveLength(1);

  expect(await cliJson('pause', 'queue')).toMatchObject({ paused: true });
  expect(await claim(w)).toEqual([]);
  expect((await t.ok('{ queue { paused pausedAt } }')).queue.paused).toBe(true);
  expect(await cli('pause', 'status')).toMatch(/^queue\s/m);
  // The lease taken before the pause is still held.
  expect((await prisma.task.findUniqueOrThrow({ where: { id: held[0].task.id } })).status).toBe('CLAIMED');

  expect(await cliJson('resume', 'queue')).toMatchObject({ paused: false });
  const after = await claim(w);
  expect(after.map((l) => l.task.id)).toEqual(
    created.createTasks.map((c: { id: string }) => c.id).filter((id: string) => id !== held[0].task.id),
  );
  await giveBack([...held, ...after]);
  await prisma.task.updateMany({ data: { status: 'CANCELLED' } });
});

it("a paused plan's tasks are skipped (its windows and their children), other work is claimed", async () => {
  const w = await register('pause-plan');
  const { createPlan } = await t.ok(
    `mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id paused } tasks { id planId } } }`,
    { input: { searchParams: region11, from: '2024-01-01', to: '2024-03-31', window: 'month' } },
  );
  const planId = createPlan.plan.id;
  expect(createPlan.tasks).toHaveLength(3);
  for (const task of createPlan.tasks) expect(task.planId).toBe(planId);
  const [other] = (await t.ok(CREATE_TASKS, { tasks: [{ searchParams: region11 }] })).createTasks;

  expect(await cliJson('pause', 'plan', planId.slice(0, 8))).toMatchObject({ id: planId, paused: true });
  expect((await t.ok(`query($id: ID!) { plan(id: $id) { paused pausedAt } }`, { id: planId })).plan.paused).toBe(true);
  const claimed = await claim(w);
  expect(claimed.map((l) => l.task.id)).toEqual([other.id]);
  await giveBack(claimed);

  expect(await cliJson('resume', 'plan', planId)).toMatchObject({ paused: false });
  const all = await claim(w);
  expect(new Set(all.map((l) => l.task.id))).toEqual(
    new Set([other.id, ...createPlan.tasks.map((c: { id: string }) => c.id)]),
  );
  await giveBack(all);
  await prisma.task.updateMany({ data: { status: 'CANCELLED' } });
});

it("a paused follow's tasks are skipped as well as its schedule", async () => {
  const w = await register('pause-follow');
  const { createFollow } = await t.ok(`mutation($input: CreateFollowInput!) { createFollow(input: $input) { id } }`, {
    input: { searchParams: region11, startDate: '2024-01-01', schedule: '1d', window: 'year' },
  });
  await t.ok(`mutation($id: ID!) { runFollow(id: $id) { id } }`, { id: createFollow.id });
  const planned = await prisma.task.findMany({ where: { followId: createFollow.id, status: 'PENDING' } });
  expect(planned.length).toBeGreaterThan(0);

  expect(await cliJson('pause', 'follow', createFollow.id)).toMatchObject({ paused: true });
  expect(await claim(w)).toEqual([]);
  expect(await cli('pause', 'status')).toContain(createFollow.id);
  await cliJson('resume', 'follow', createFollow.id);
  const claimed = await claim(w);
  expect(new Set(claimed.map((l) => l.task.id))).toEqual(new Set(planned.map((p) => p.id)));
  await giveBack(claimed);
  await prisma.task.updateMany({ data: { status: 'CANCELLED' } });
});

it('a drained worker keeps its lease and gets nothing new; another worker does; shown as paused', async () => {
  const [drained, other] = [await register('drained'), await register('other')];
  await t.ok(CREATE_TASKS, { tasks: [{ searchParams: region11 }, { searchParams: region11 }] });
  const held = await claim(drained, 1);
  expect(held).toHaveLength(1);

  expect(await cliJson('pause', 'worker', drained.slice(0, 8))).toMatchObject({ id: drained, paused: true });
  expect(await claim(drained)).toEqual([]);
  expect((await t.ok(`query($id: ID!) { client(id: $id) { paused pausedAt } }`, { id: drained })).client.paused).toBe(
    true,
  );
  expect(await cli('pause', 'status')).toMatch(/drained \(draining\)/);
  // Registering again (a restarted worker) does not end the drain.
  await t.ok(`mutation($id: ID!) { registerClient(input: { name: "drained", clientId: $id }) { id } }`, {
    id: drained,
  });
  expect(await claim(drained)).toEqual([]);
  expect(await claim(other)).toHaveLength(1);
  expect((await prisma.task.findUniqueOrThrow({ where: { id: held[0].task.id } })).leaseHolderId).toBe(drained);

  await cliJson('resume', 'worker', drained);
  expect(await cliJson('pause', 'status')).toMatchObject({ workers: [] });
});

it('pausing needs an admin key and a known id', async () => {
  const denied = await t.gql(`mutation { pauseQueue { paused } }`, {}, null);
  expect(denied.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  const unknown = await t.gql(`mutation { pausePlan(id: "00000000-0000-4000-8000-000000000000") { id } }`);
  expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  const bad = await t.gql(`mutation { pauseWorker(id: "nope") { id } }`);
  expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});
