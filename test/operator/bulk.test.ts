// Bulk actions through the CLI and GraphQL on PostgreSQL: every task matching a filter retried, cancelled or
// reprioritised in one request (the gate walks the matches in batches), previewed first, refused whole over its
// limit, each change an event.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { insertTasks } from '../../server/db/sql/insert-tasks.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { region11 } from '../gate/operations.ts';

const run = promisify(execFile);
let t: TestGate;

beforeAll(async () => {
  t = await startTestGate('postgres');
});
afterAll(async () => {
  await t?.stop();
});
beforeEach(async () => {
  await prisma.$executeRaw`TRUNCATE tasks, task_events, plans CASCADE`;
});

const cli = (...args: string[]) =>
  run(process.execPath, ['bin/reyestr.mjs', ...args], {
    env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY },
  });

/** `n` tasks, then set to a status and error class as a worker's failures would leave them. */
async function seed(n: number, status: 'DEAD' | 'FAILED' | 'PENDING', errorClass: 'NETWORK' | 'RATE_LIMITED' | null) {
  const rows = await insertTasks(
    Array.from({ length: n }, () => ({
      kind: 'DOWNLOAD' as const,
      searchParams: { CourtRegion: ['11'] },
      startPage: 1,
      maxDocuments: 10,
      priority: 0,
      runAt: null,
      maxAttempts: 3,
      dedupKey: null,
      parentId: null,
    })),
  );
  const ids = rows.map((r) => r.id);
  await prisma.task.updateMany({
    where: { id: { in: ids } },
    data: {
      status,
      lastErrorClass: errorClass,
      attempts: status === 'PENDING' ? 0 : 3,
      lastError: errorClass && 'boom',
    },
  });
  return ids;
}

const count = (status: string, ids: string[]) =>
  prisma.task.count({ where: { id: { in: ids }, status: status as 'PENDING' } });

it('retry --status dead --class network: previews, then retries exactly those in batches, one RETRIED event each', async () => {
  const network = await seed(6000, 'DEAD', 'NETWORK'); // more than one batch of 5000
  const limited = await seed(10, 'DEAD', 'RATE_LIMITED');
  const failed = await seed(5, 'FAILED', 'NETWORK');

  const preview = await cli('tasks', 'retry', '--status', 'dead', '--class', 'network');
  expect(preview.stdout).toContain('6000 task(s) match');
  expect(await count('DEAD', network)).toBe(6000);

  const done = await cli('tasks', 'retry', '--status', 'dead', '--class', 'network', '--yes', '--json');
  expect(JSON.parse(done.stdout)).toEqual({
    action: 'RETRY',
    matched: 6000,
    changed: 6000,
    applied: true,
    limit: 100000,
  });
  expect(await count('PENDING', network)).toBe(6000);
  expect(await prisma.task.count({ where: { id: { in: network }, attempts: 0 } })).toBe(6000);
  expect(await count('DEAD', limited)).toBe(10);
  expect(await count('FAILED', failed)).toBe(5);
  expect(await prisma.taskEvent.count({ where: { type: 'RETRIED' } })).toBe(6000);
});

it('a filter matching more than --limit changes nothing and says so (exit 2)', async () => {
  const dead = await seed(20, 'DEAD', 'NETWORK');
  const refused = await cli('tasks', 'retry', '--status', 'dead', '--limit', '5', '--yes').catch((e) => e);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/20 tasks match, more than the limit of 5/);
  expect(await count('DEAD', dead)).toBe(20);
});

it("cancel --plan P cancels the plan's tasks only; priority --to sets unfinished ones, each an event", async () => {
  const { createPlan } = await t.ok(
    `mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } tasks { id } } }`,
    { input: { searchParams: region11, from: '2024-01-01', to: '2024-04-30', window: 'month' } },
  );
  const others = await seed(3, 'PENDING', null);
  const planIds = createPlan.tasks.map((x: { id: string }) => x.id);

  const raised = await cli('tasks', 'priority', '--to', '50', '--plan', createPlan.plan.id.slice(0, 8), '--yes');
  expect(raised.stdout).toContain('reprioritised 4 of 4 matching task(s)');
  expect(await prisma.task.count({ where: { id: { in: planIds }, priority: 50 } })).toBe(4);
  expect(await prisma.task.count({ where: { id: { in: others }, priority: 0 } })).toBe(3);
  expect(await prisma.taskEvent.count({ where: { type: 'PRIORITY_CHANGED' } })).toBe(4);

  const cancelled = await cli('tasks', 'cancel', '--plan', createPlan.plan.id, '--yes');
  expect(cancelled.stdout).toContain('cancelled 4 of 4');
  expect(await count('CANCELLED', planIds)).toBe(4);
  expect(await count('PENDING', others)).toBe(3);
});

it('ids still work one by one; ids and a filter together, or neither, are usage errors', async () => {
  const [dead] = await seed(1, 'DEAD', 'NETWORK');
  expect((await cli('tasks', 'retry', dead.slice(0, 8))).stdout).toBe(`${dead} PENDING\n`);
  const both = await cli('tasks', 'retry', dead, '--status', 'dead').catch((e) => e);
  expect(both.code).toBe(2);
  const neither = await cli('tasks', 'cancel').catch((e) => e);
  expect(neither.code).toBe(2);
  expect(neither.stderr).toMatch(/give task ids, or a filter/);
  const badClass = await cli('tasks', 'retry', '--class', 'nope').catch((e) => e);
  expect(badClass.code).toBe(2);
});

it('GraphQL: preview counts without changing; an empty filter, a missing priority and a worker key are refused', async () => {
  await seed(4, 'DEAD', 'NETWORK');
  const preview = await t.ok(
    `query($input: BulkTasksInput!) { bulkTasksPreview(input: $input) { matched changed applied } }`,
    { input: { action: 'RETRY', filter: { errorClass: ['NETWORK'] } } },
  );
  expect(preview.bulkTasksPreview).toEqual({ matched: 4, changed: 0, applied: false });
  const BULK = `mutation($input: BulkTasksInput!) { bulkTasks(input: $input) { changed } }`;
  const empty = await t.gql(BULK, { input: { action: 'CANCEL', filter: {} } });
  expect(empty.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  const noPriority = await t.gql(BULK, { input: { action: 'SET_PRIORITY', filter: { status: ['PENDING'] } } });
  expect(noPriority.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  const { createApiKey } = await t.ok(`mutation { createApiKey(input: { name: "w", role: WORKER }) { key } }`);
  const worker = await t.gql(BULK, { input: { action: 'RETRY', filter: { status: ['DEAD'] } } }, createApiKey.key);
  expect(worker.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(await prisma.task.count({ where: { status: 'DEAD' } })).toBe(4);
});
