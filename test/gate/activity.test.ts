// activity(range, clientId, planId): throughput and failures from the rolled-up counters the gates keep from
// task_events (behind the log's horizon, off the claim/complete path) plus the events not rolled up yet —
// completions with their documents, failed attempts, DEAD tasks, expired leases — per worker, over an hour
// (minutes), a day and a week (hours). On PostgreSQL and PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { rolledUpLog, startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

const ACTIVITY = `query($range: ActivityRange, $clientId: ID, $planId: ID) {
  activity(range: $range, clientId: $clientId, planId: $planId) {
    range bucketSeconds completed failed dead expired documents buckets { at completed failed dead expired documents }
  }
}`;

describe.each(['postgres', 'pglite'] as const)('activity on %s', (storage) => {
  let t: TestGate;
  let busy: string;
  let idle: string;

  beforeAll(async () => {
    t = await startTestGate(storage, { maxAttempts: 1 });
    busy = (await t.ok(op.REGISTER, { name: 'busy' })).registerClient.id;
    idle = (await t.ok(op.REGISTER, { name: 'idle' })).registerClient.id;
    for (let i = 0; i < 5; i++) await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11, maxDocuments: 10 } });
    const claim = async () => (await t.ok(op.CLAIM, { clientId: busy })).claimTask;
    for (const documentsDownloaded of [4, 6]) {
      const lease = await claim();
      await t.ok(op.COMPLETE, { input: { taskId: lease.task.id, leaseToken: lease.leaseToken, documentsDownloaded } });
    }
    const failing = await claim();
    await t.ok(op.FAIL, {
      input: { taskId: failing.task.id, leaseToken: failing.leaseToken, errorClass: 'NETWORK', message: 'reset' },
    }); // the only attempt: DEAD
    const challenged = await claim();
    await t.ok(op.FAIL, {
      input: {
        taskId: challenged.task.id,
        leaseToken: challenged.leaseToken,
        errorClass: 'CHALLENGE',
        message: 'captcha',
      },
    }); // no attempt used: PENDING again
    const silent = await claim();
    await prisma.task.update({ where: { id: silent.task.id }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
    await t.gate.sweeper.tick();
  });
  afterAll(async () => {
    await t?.stop();
    await t?.db.drop();
  });

  it('the last hour, minute by minute, for everyone and for one worker', async () => {
    const { activity } = await t.ok(ACTIVITY, { range: 'HOUR' });
    expect(activity).toMatchObject({
      range: 'HOUR',
      bucketSeconds: 60,
      completed: 2,
      failed: 2,
      dead: 1,
      expired: 1,
      documents: 10,
    });
    expect(activity.buckets).toHaveLength(60);
    const at = activity.buckets.map((b: { at: string }) => Date.parse(b.at));
    expect(at.every((x: number, i: number) => i === 0 || x - at[i - 1] === 60_000)).toBe(true);
    expect(Date.now() - at[59]).toBeLessThan(2 * 60_000); // the current minute is the last
    const counted = activity.buckets.filter((b: { completed: number; failed: number }) => b.completed + b.failed > 0);
    expect(counted.length).toBeGreaterThanOrEqual(1);

    expect((await t.ok(ACTIVITY, { range: 'HOUR', clientId: busy })).activity).toMatchObject({
      completed: 2,
      failed: 2,
      documents: 10,
    });
    expect((await t.ok(ACTIVITY, { range: 'HOUR', clientId: idle })).activity).toMatchObject({
      completed: 0,
      failed: 0,
      dead: 0,
      expired: 0,
      documents: 0,
    });
  });

  it('a day in 24 hours and a week in 168, the same totals', async () => {
    const day = (await t.ok(ACTIVITY, { range: 'DAY' })).activity;
    expect(day).toMatchObject({ bucketSeconds: 3600, completed: 2, failed: 2, dead: 1, expired: 1, documents: 10 });
    expect(day.buckets).toHaveLength(24);
    const week = (await t.ok(ACTIVITY, { range: 'WEEK', clientId: busy })).activity;
    expect(week).toMatchObject({ completed: 2, documents: 10 });
    expect(week.buckets).toHaveLength(168);
  });

  it("one plan's activity: its tasks' outcomes only (the task's plan, kept in the rollup's key)", async () => {
    const { createPlan } = await t.ok(
      `mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } tasks { id } } }`,
      { input: { searchParams: op.region11, from: '2024-01-01', to: '2024-02-29', window: 'month', priority: 100 } },
    );
    const planId = createPlan.plan.id;
    const lease = (await t.ok(op.CLAIM, { clientId: idle })).claimTask; // priority 100: a window of the plan
    expect(createPlan.tasks.map((x: { id: string }) => x.id)).toContain(lease.task.id);
    await t.ok(op.FAIL, {
      input: { taskId: lease.task.id, leaseToken: lease.leaseToken, errorClass: 'PARSE', message: 'odd page' },
    });
    expect((await t.ok(ACTIVITY, { range: 'DAY', planId })).activity).toMatchObject({
      completed: 0,
      failed: 1,
      dead: 1,
    });
    expect((await t.ok(ACTIVITY, { range: 'HOUR', planId, clientId: busy })).activity).toMatchObject({ failed: 0 });
    expect((await t.ok(ACTIVITY, { range: 'HOUR' })).activity).toMatchObject({ completed: 2, failed: 3, dead: 2 });
  });

  it('completions at once from several workers all count', async () => {
    const workers = await Promise.all(
      ['c1', 'c2', 'c3'].map(async (name) => (await t.ok(op.REGISTER, { name })).registerClient.id),
    );
    await t.ok(op.CREATE_TASKS, {
      tasks: Array.from({ length: 30 }, () => ({ searchParams: op.region11, maxDocuments: 10 })),
    });
    const leases = (
      await Promise.all(
        workers.map(async (clientId) => (await t.ok(op.CLAIM_MANY, { clientId, limit: 10 })).claimTasks),
      )
    ).flat();
    expect(leases).toHaveLength(30);
    const before = (await t.ok(ACTIVITY, { range: 'DAY' })).activity;
    await Promise.all(
      leases.map((l: { leaseToken: string; task: { id: string } }) =>
        t.ok(op.COMPLETE, { input: { taskId: l.task.id, leaseToken: l.leaseToken, documentsDownloaded: 2 } }),
      ),
    );
    const after = (await t.ok(ACTIVITY, { range: 'DAY' })).activity;
    expect(after.completed - before.completed).toBe(30);
    expect(after.documents - before.documents).toBe(60);
    for (const clientId of workers)
      expect((await t.ok(ACTIVITY, { range: 'HOUR', clientId })).activity).toMatchObject({
        completed: 10,
        documents: 20,
      });
  });

  it('the roll-up moves the counts from the log into the rollups: the same totals before and after, each event once', async () => {
    const before = (await t.ok(ACTIVITY, { range: 'DAY' })).activity;
    expect(before.completed).toBeGreaterThan(0);
    const last = (await prisma.taskEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }))!.seq;
    expect(await rolledUpLog(t.gate)).toBe(last);
    const dayAgo = new Date(Date.now() - 25 * 3_600_000);
    const rolled = await prisma.activityHour.aggregate({
      where: { bucket: { gte: dayAgo } },
      _sum: { completed: true, failed: true, dead: true, expired: true, documents: true },
    });
    expect(rolled._sum).toEqual({
      completed: before.completed,
      failed: before.failed,
      dead: before.dead,
      expired: before.expired,
      documents: before.documents,
    });
    expect((await t.ok(ACTIVITY, { range: 'DAY' })).activity).toEqual(before);
    expect((await t.ok(ACTIVITY, { range: 'HOUR' })).activity.completed).toBe(before.completed);
  });

  it('the sweeper keeps the rollups bounded: minutes for two days, hours for the retention (at least 8 days)', async () => {
    const zero = '00000000-0000-0000-0000-000000000000';
    // Whole hours before the hour this test started in, fixed once: recomputed at the check, an hour that turned in
    // between would name other buckets. The kept minute row is 46 hours back, so it is still under the 48 h limit
    // when the sweep runs in the next hour.
    const thisHour = Math.floor(Date.now() / 3_600_000);
    const ago = (hours: number) => new Date((thisHour - hours) * 3_600_000);
    const row = (hours: number) => ({ bucket: ago(hours), clientId: zero, planId: zero, completed: 1 });
    await prisma.activityMinute.createMany({ data: [row(49), row(46)] });
    await prisma.activityHour.createMany({ data: [row(31 * 24), row(29 * 24)] }); // EVENT_RETENTION_DAYS 30
    await t.gate.sweeper.pruneEventLog();
    expect(
      (await prisma.activityMinute.findMany({ where: { clientId: zero, planId: zero } })).map((r) => r.bucket),
    ).toEqual([ago(46)]);
    expect(
      (await prisma.activityHour.findMany({ where: { clientId: zero, planId: zero } })).map((r) => r.bucket),
    ).toEqual([ago(29 * 24)]);
    expect((await t.ok(ACTIVITY, { range: 'HOUR', clientId: busy })).activity.completed).toBe(2); // today's rows stay
  });

  it('a bad id is BAD_USER_INPUT naming the argument; no key is UNAUTHENTICATED', async () => {
    const bad = await t.gql(ACTIVITY, { clientId: 'nope' });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].message).toMatch(/^clientId: /);
    const anonymous = await t.gql(ACTIVITY, {}, null);
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
