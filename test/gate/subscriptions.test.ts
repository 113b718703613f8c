// Live events over graphql-ws and SSE, and replay of missed events with afterSeq.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, startTestGate, ADMIN_KEY, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';
import { eventually } from '../worker/support.ts';
import { prisma } from '../../server/db/database.ts';

const TASK_EVENTS = `subscription($afterSeq: SafeInt, $filter: TaskEventFilter) {
  taskEvents(afterSeq: $afterSeq, filter: $filter) { seq type status taskId } }`;

describe('subscriptions (PostgreSQL)', () => {
  let t: TestGate;
  beforeAll(async () => {
    // 'filters by task' claims every pending task and leaves the other leases open: an hour, so none runs out (and
    // makes a LEASE_EXPIRED, a taskAvailable) while a later test listens for its own events, however slow the box.
    t = await startTestGate('postgres', { leaseSeconds: 3600 });
  });
  afterAll(() => t?.stop());

  /** Waits until exactly `streams` live bus streams are open: the new subscriptions listen, the old ones let go. */
  const listening = (streams: number) =>
    eventually(() => t.gate.bus.openStreams === streams, 30_000, `${streams} live subscription stream(s)`);
  // Each test starts with no stream open: a stream the last test let go of may still be closing, and counting
  // it as the new subscription's would start the test before that subscription listens.
  beforeEach(() => listening(0));

  const createTask = async () =>
    (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id as string;

  it('delivers task events live over WebSocket, in seq order', async () => {
    const ws = t.ws();
    await listening(0); // earlier subscriptions have let go
    const sub = collect(ws, TASK_EVENTS, {}, 3);
    await listening(1); // the subscription has started (not a fixed sleep: the box may be busy)
    const ids = [await createTask(), await createTask(), await createTask()];
    const events = await sub.done;
    expect(events.map((e) => e.taskEvents.taskId)).toEqual(ids);
    expect(events.every((e) => e.taskEvents.type === 'CREATED')).toBe(true);
    const seqs = events.map((e) => e.taskEvents.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('replays what a subscriber missed while disconnected (afterSeq), then continues live, with no gap or repeat', async () => {
    const first = t.ws();
    await listening(0); // earlier subscriptions have let go
    const seen = collect(first, TASK_EVENTS, {}, 1);
    await listening(1);
    const a = await createTask();
    const [{ taskEvents: last }] = await seen.done;
    expect(last.taskId).toBe(a);
    await first.dispose();

    // while "offline": three more tasks
    const missed = [await createTask(), await createTask(), await createTask()];
    const again = t.ws();
    await listening(0); // earlier subscriptions have let go
    const resumed = collect(again, TASK_EVENTS, { afterSeq: last.seq }, 5);
    await listening(1);
    const live = [await createTask(), await createTask()];
    const events = (await resumed.done).map((e) => e.taskEvents);
    expect(events.map((e) => e.taskId)).toEqual([...missed, ...live]);
    const seqs = events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(5);
    expect(seqs[0]).toBeGreaterThan(last.seq);
  });

  it('filters by task and follows one task with taskUpdated', async () => {
    const id = await createTask();
    // A live subscription starts at what the gate has delivered; the pump reads a few ms after a write, so wait
    // for it to pass the CREATED event, or a subscription made in between would (rightly) get it too.
    const { seq } = await prisma.taskEvent.findFirstOrThrow({ where: { taskId: id }, orderBy: { seq: 'desc' } });
    await eventually(() => t.gate.bus.deliveredSeq >= seq, 30_000, 'the CREATED event delivered');
    const ws = t.ws();
    await listening(0); // earlier subscriptions have let go
    const updates = collect(ws, `subscription($id: ID!) { taskUpdated(id: $id) { id status } }`, { id }, 3);
    const filtered = collect(ws, TASK_EVENTS, { filter: { taskId: id } }, 2);
    await listening(2);
    await createTask(); // another task's events must not show up
    const clientId = (await t.ok(op.REGISTER, { name: 'sub-worker' })).registerClient.id;
    const { claimTask } = await t.ok(op.CLAIM_MANY, { clientId, limit: 100 }).then((d) => ({
      claimTask: d.claimTasks.find((l: { task: { id: string } }) => l.task.id === id),
    }));
    // taskUpdated reads the task as it is when the event arrives: complete only once the claim was seen
    await eventually(() => updates.items.length === 2, 30_000, 'the CLAIMED update');
    await t.ok(op.COMPLETE, { input: { taskId: id, leaseToken: claimTask.leaseToken, documentsDownloaded: 0 } });
    expect((await updates.done).map((u) => u.taskUpdated.status)).toEqual(['PENDING', 'CLAIMED', 'COMPLETED']);
    expect((await filtered.done).map((e) => e.taskEvents.type)).toEqual(['CLAIMED', 'COMPLETED']);
  });

  it('nudges idle workers with taskAvailable', async () => {
    const ws = t.ws();
    await listening(0); // earlier subscriptions have let go
    const nudge = collect(ws, `subscription { taskAvailable { taskId reason } }`, {}, 1);
    await listening(1);
    const id = await createTask();
    expect((await nudge.done)[0].taskAvailable).toEqual({ taskId: id, reason: 'CREATED' });
  });

  it('streams over SSE too', async () => {
    await listening(0); // earlier subscriptions have let go
    const controller = new AbortController();
    const res = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({ query: `subscription { taskAvailable { taskId } }` }),
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    await listening(1);
    const id = await createTask();
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(id)) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain(`"taskAvailable":{"taskId":"${id}"}`);
  });

  it('refuses a WebSocket with a bad key and subscriptions without a key', async () => {
    const bad = collect(t.ws('not-a-real-key-000000'), `subscription { taskAvailable { taskId } }`, {}, 1, 3000);
    await expect(bad.done).rejects.toThrow(/4403|Forbidden|closed/i);
    const anonymous = collect(t.ws(null), `subscription { taskAvailable { taskId } }`, {}, 1, 3000);
    await expect(anonymous.done).rejects.toThrow(/UNAUTHENTICATED|API key required/);
  });
});
