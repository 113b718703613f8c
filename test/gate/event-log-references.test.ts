// The event log has no foreign keys (migration 20261204200000_task_events_without_foreign_keys): GraphQL still
// reaches an event's task and worker by id, and statement triggers do what the keys' actions did — deleting tasks
// deletes their events, deleting a worker clears its events' clientId, truncating tasks empties the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { eventually } from '../worker/support.ts';
import * as op from './operations.ts';

const TASK_EVENTS = `query($id: ID!) { task(id: $id) { events(last: 10) { type taskId task { id } clientId client { name } } } }`;
const LOG = `query { taskEvents(afterSeq: 0, limit: 1000) { type taskId task { id status } client { id name } } }`;

describe.each(['postgres', 'pglite'] as const)('event log references on %s', (storage) => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate(storage);
  });
  afterAll(() => t?.stop());

  it("resolves each event's task and worker, and follows deletions as the foreign keys did", async () => {
    const worker = (await t.ok(op.REGISTER, { name: 'references' })).registerClient;
    const kept = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask;
    const claimed = (await t.ok(op.CLAIM, { clientId: worker.id })).claimTask;
    expect(claimed.task.id).toBe(kept.id);
    const gone = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask;

    const { events } = (await t.ok(TASK_EVENTS, { id: kept.id })).task;
    expect(events).toEqual([
      { type: 'CLAIMED', taskId: kept.id, task: { id: kept.id }, clientId: worker.id, client: { name: 'references' } },
      { type: 'CREATED', taskId: kept.id, task: { id: kept.id }, clientId: null, client: null },
    ]);
    // The log query ends at the gate's horizon, which its event pump moves a few ms after a write (later on a busy
    // box): wait until it covers the last event written, as a subscriber would.
    const { seq } = await prisma.taskEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    const covered = () => t.gate.bus.horizonSeq === null || t.gate.bus.horizonSeq >= seq;
    await eventually(covered, 30_000, 'the event log horizon past the last event');
    const log = (await t.ok(LOG, {})).taskEvents;
    expect(log.map((e: { task: { id: string } }) => e.task.id)).toEqual([kept.id, kept.id, gone.id]);

    await prisma.task.delete({ where: { id: gone.id } });
    expect(await prisma.taskEvent.count({ where: { taskId: gone.id } })).toBe(0);
    expect(await prisma.taskEvent.count({ where: { taskId: kept.id } })).toBe(2);

    await prisma.client.delete({ where: { id: worker.id } });
    const after = (await t.ok(TASK_EVENTS, { id: kept.id })).task.events;
    expect(after.map((e: { clientId: string | null; client: unknown }) => [e.clientId, e.client])).toEqual([
      [null, null],
      [null, null],
    ]);

    await prisma.$executeRawUnsafe('TRUNCATE tasks CASCADE');
    expect(await prisma.taskEvent.count()).toBe(0);
  });
});
