// Event-log retention: finished tasks' old events are deleted; a queued task keeps its story however old.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { rolledUpLog, startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

describe('event retention (PostgreSQL)', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('postgres', { eventRetentionDays: 30 });
  });
  afterAll(() => t?.stop());

  it('deletes events of finished tasks older than the retention, and nothing else', async () => {
    const done = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id;
    const clientId = (await t.ok(op.REGISTER, { name: 'retention-worker' })).registerClient.id;
    const { claimTask } = await t.ok(op.CLAIM, { clientId });
    await t.ok(op.COMPLETE, { input: { taskId: done, leaseToken: claimTask.leaseToken, documentsDownloaded: 1 } });
    const queued = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id;
    const recent = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id;
    await t.ok(op.CANCEL, { id: recent });

    await prisma.$executeRaw`UPDATE task_events SET created_at = now() - interval '40 days' WHERE task_id IN (${done}::uuid, ${queued}::uuid)`;
    // events the activity rollups do not hold yet are kept whatever their age: let them catch up first
    const last = await prisma.taskEvent.aggregate({ _max: { seq: true } });
    expect(await rolledUpLog(t.gate)).toBe(last._max.seq);
    expect(await t.gate.sweeper.pruneEventLog()).toBe(3); // CREATED, CLAIMED, COMPLETED of the finished task
    const left = await prisma.taskEvent.groupBy({ by: ['taskId'], _count: { _all: true } });
    expect(Object.fromEntries(left.map((g) => [g.taskId, g._count._all]))).toEqual({ [queued]: 1, [recent]: 2 });
  });

  it('keeps everything when the retention is 0', async () => {
    t = await t.restart({ eventRetentionDays: 0 });
    await prisma.$executeRaw`UPDATE task_events SET created_at = now() - interval '4000 days'`;
    const before = await prisma.taskEvent.count();
    expect(await t.gate.sweeper.pruneEventLog()).toBe(0);
    expect(await prisma.taskEvent.count()).toBe(before);
  });
});
