// The task life cycle through the real GraphQL API, on PostgreSQL and on embedded PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

describe.each(['postgres', 'pglite'] as const)('task leases on %s', (storage) => {
  let t: TestGate;
  beforeAll(async () => {
    // A lease ends in these tests because a test ends it (expireAndSweep, endLeaseSoon), never because the clock ran:
    // with a lease shorter than a request takes on a loaded machine, tests failed by timing (0.4 s leases did).
    t = await startTestGate(storage, { leaseSeconds: 60 });
  });
  afterAll(() => t?.stop());

  /** Ends a lease now, as if its time had run out (no waiting on the clock), and sweeps. */
  const expireAndSweep = async (taskId: string) => {
    await prisma.task.update({ where: { id: taskId }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
    await t.gate.sweeper.tick();
  };
  /** Leaves a lease 5 s of its 60 (the database's clock), as if a heartbeat were overdue. */
  const endLeaseSoon = (taskId: string) =>
    prisma.$executeRaw`UPDATE tasks SET lease_expires_at = now() + interval '5 seconds' WHERE id = ${taskId}::uuid`;
  /** Seconds left of a task's lease, by the database's clock. */
  const leaseLeft = async (taskId: string) =>
    (
      await prisma.$queryRaw<Array<{ left: number }>>`
        SELECT extract(epoch FROM lease_expires_at - now())::float8 AS left FROM tasks WHERE id = ${taskId}::uuid`
    )[0].left;

  const newTask = async (extra: Record<string, unknown> = {}) =>
    (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11, maxDocuments: 25, ...extra } })).createTask;
  const newClient = async (name: string) => (await t.ok(op.REGISTER, { name })).registerClient.id as string;
  const drainQueue = () => prisma.task.deleteMany({});

  it('runs create → claim → progress → complete and credits the worker', async () => {
    await drainQueue();
    const task = await newTask({ priority: 5 });
    expect(task).toMatchObject({
      status: 'PENDING',
      priority: 5,
      searchParams: { CourtRegion: ['11'], INSType: ['1'] },
    });
    const clientId = await newClient('happy-worker');
    const { claimTask: lease } = await t.ok(op.CLAIM, { clientId });
    expect(lease.task).toMatchObject({ id: task.id, status: 'CLAIMED' });
    expect(lease.leaseToken).toMatch(/^[0-9a-f-]{36}$/);

    const { reportProgress } = await t.ok(op.PROGRESS, {
      input: {
        taskId: task.id,
        leaseToken: lease.leaseToken,
        documentsDownloaded: 3,
        totalExpected: 25,
        documentId: '101476997',
      },
    });
    expect(reportProgress.task).toEqual({ status: 'RUNNING', documentsDownloaded: 3 });

    const { completeTask } = await t.ok(op.COMPLETE, {
      input: { taskId: task.id, leaseToken: lease.leaseToken, documentsDownloaded: 25, resultSummary: { pages: 1 } },
    });
    expect(completeTask).toMatchObject({
      id: task.id,
      status: 'COMPLETED',
      documentsDownloaded: 25,
      resultSummary: { pages: 1 },
    });
    const { client } = await t.ok(op.CLIENT, { id: clientId });
    expect(client).toMatchObject({ tasksCompleted: 1, documentsDownloaded: 25 });
    const { task: after } = await t.ok(op.TASK, { id: task.id });
    expect(after.events.map((e: { type: string }) => e.type)).toEqual(['COMPLETED', 'PROGRESS', 'CLAIMED', 'CREATED']);
    expect(await t.ok(op.CLAIM, { clientId })).toEqual({ claimTask: null });
  });

  it('claims by priority, then run-at, then age, and skips tasks not yet due', async () => {
    await drainQueue();
    const low = await newTask({ priority: 1 });
    const high = await newTask({ priority: 9 });
    await newTask({ priority: 50, runAt: new Date(Date.now() + 3_600_000).toISOString() });
    const older = await newTask({ priority: 1 });
    const clientId = await newClient('order-worker');
    const order: string[] = [];
    for (;;) {
      const { claimTask } = await t.ok(op.CLAIM, { clientId });
      if (!claimTask) break;
      order.push(claimTask.task.id);
    }
    expect(order).toEqual([high.id, low.id, older.id]);
  });

  it('completes idempotently: the same token and body again answers the same and counts once', async () => {
    await drainQueue();
    const task = await newTask();
    const clientId = await newClient('idempotent-worker');
    const { claimTask } = await t.ok(op.CLAIM, { clientId });
    const input = {
      taskId: task.id,
      leaseToken: claimTask.leaseToken,
      documentsDownloaded: 7,
      documentsSkipped: 1,
      resultSummary: { a: 1 },
    };
    const first = await t.ok(op.COMPLETE, { input });
    const second = await t.ok(op.COMPLETE, { input });
    expect(second).toEqual(first);
    expect((await t.ok(op.CLIENT, { id: clientId })).client).toMatchObject({
      tasksCompleted: 1,
      documentsDownloaded: 7,
    });
    const different = await t.gql(op.COMPLETE, { input: { ...input, documentsDownloaded: 8 } });
    expect(different.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await t.ok(op.CLIENT, { id: clientId })).client.documentsDownloaded).toBe(7);
  });

  it('requeues an expired lease and fences the stale holder out', async () => {
    await drainQueue();
    const task = await newTask();
    const stale = await newClient('stale-worker');
    const fresh = await newClient('fresh-worker');
    const { claimTask: oldLease } = await t.ok(op.CLAIM, { clientId: stale });
    await expireAndSweep(task.id);
    const { task: requeued } = await t.ok(op.TASK, { id: task.id });
    // A stall, not a failed attempt: the worker stopped reporting, the task did nothing wrong.
    expect(requeued).toMatchObject({ status: 'PENDING', attempts: 0, stalls: 1, lastErrorClass: 'LEASE_EXPIRED' });

    const { claimTask: newLease } = await t.ok(op.CLAIM, { clientId: fresh });
    expect(newLease.leaseEpoch).toBe(oldLease.leaseEpoch + 1);
    for (const [query, input] of [
      [op.COMPLETE, { taskId: task.id, leaseToken: oldLease.leaseToken, documentsDownloaded: 1 }],
      [op.PROGRESS, { taskId: task.id, leaseToken: oldLease.leaseToken, documentsDownloaded: 1 }],
      [op.FAIL, { taskId: task.id, leaseToken: oldLease.leaseToken, errorClass: 'NETWORK', message: 'late' }],
    ] as const) {
      const r = await t.gql(query, { input });
      expect(r.errors?.[0].extensions?.code).toBe('LEASE_LOST');
    }
    const { task: untouched } = await t.ok(op.TASK, { id: task.id });
    expect(untouched).toMatchObject({ status: 'CLAIMED', documentsDownloaded: 0, leaseHolder: { id: fresh } });
    const done = await t.ok(op.COMPLETE, {
      input: { taskId: task.id, leaseToken: newLease.leaseToken, documentsDownloaded: 2 },
    });
    expect(done.completeTask.status).toBe('COMPLETED');
  });

  it('counts stalls apart from failed attempts: DEAD only after MAX_STALLS (5) lease expiries', async () => {
    await drainQueue();
    const task = await newTask({ maxAttempts: 3 });
    const clientId = await newClient('killed-again-worker');
    for (let stall = 1; stall <= 5; stall++) {
      const { claimTask } = await t.ok(op.CLAIM, { clientId });
      expect(claimTask.task.id).toBe(task.id);
      await expireAndSweep(task.id);
      const { task: after } = await t.ok(op.TASK, { id: task.id });
      // Killed three times (its attempt limit) is nothing against the task: it goes on until the stall limit.
      expect(after).toMatchObject({
        status: stall < 5 ? 'PENDING' : 'DEAD',
        attempts: 0,
        stalls: stall,
        lastErrorClass: 'LEASE_EXPIRED',
      });
    }
    expect((await t.ok(op.TASK, { id: task.id })).task.lastError).toBe(
      'lease expired 5 times: every worker that took it stopped reporting',
    );
    // A retry starts the count again.
    expect((await t.ok(op.RETRY, { id: task.id })).retryTask).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect((await t.ok(op.TASK, { id: task.id })).task.stalls).toBe(0);
  });

  it('a requeued or released task keeps its place in the queue, ahead of work created while it ran', async () => {
    await drainQueue();
    const running = await newTask();
    const clientId = await newClient('queue-worker');
    expect((await t.ok(op.CLAIM, { clientId })).claimTask.task.id).toBe(running.id);
    for (let i = 0; i < 20; i++) await newTask(); // the backlog grows meanwhile
    await expireAndSweep(running.id);
    const { claimTask: again } = await t.ok(op.CLAIM, { clientId });
    expect(again.task.id).toBe(running.id);
    for (let i = 0; i < 5; i++) await newTask();
    await t.ok(op.RELEASE, { leases: [{ taskId: running.id, leaseToken: again.leaseToken }] });
    expect((await t.ok(op.CLAIM, { clientId })).claimTask.task.id).toBe(running.id);
  });

  it('heartbeats keep leases alive past their length', async () => {
    await drainQueue();
    const task = await newTask();
    const clientId = await newClient('heartbeat-worker');
    const { claimTask } = await t.ok(op.CLAIM, { clientId });
    for (let i = 0; i < 4; i++) {
      await endLeaseSoon(task.id); // four times the lease is nearly over, and each heartbeat gives it a whole one
      const { heartbeat } = await t.ok(op.HEARTBEAT, { clientId, taskIds: [task.id] });
      expect(heartbeat.revokedTaskIds).toEqual([]);
      expect(heartbeat.leases.map((l: { taskId: string }) => l.taskId)).toEqual([task.id]);
      expect(await leaseLeft(task.id)).toBeGreaterThan(30);
      await t.gate.sweeper.tick();
      expect((await t.ok(op.TASK, { id: task.id })).task.status).toBe('CLAIMED');
    }
    const done = await t.ok(op.COMPLETE, {
      input: { taskId: task.id, leaseToken: claimTask.leaseToken, documentsDownloaded: 1 },
    });
    expect(done.completeTask.status).toBe('COMPLETED');
  });

  it('lets a lease the worker does not name in its heartbeat expire (a claim whose answer was lost)', async () => {
    await drainQueue();
    const [known, orphan] = [await newTask(), await newTask()];
    const clientId = await newClient('forgetful-worker');
    await t.ok(op.CLAIM_MANY, { clientId, limit: 2 });
    await endLeaseSoon(known.id);
    await endLeaseSoon(orphan.id);
    await t.ok(op.HEARTBEAT, { clientId, taskIds: [known.id] });
    expect(await leaseLeft(known.id)).toBeGreaterThan(30);
    expect(await leaseLeft(orphan.id)).toBeLessThanOrEqual(5); // not extended: its time runs out…
    await expireAndSweep(orphan.id); // …(here at once instead of in 5 s) and the sweeper takes it back
    expect((await t.ok(op.TASK, { id: known.id })).task.status).toBe('CLAIMED');
    expect((await t.ok(op.TASK, { id: orphan.id })).task).toMatchObject({
      status: 'PENDING',
      lastErrorClass: 'LEASE_EXPIRED',
    });
  });

  it('retries failures with backoff until max attempts, then DEAD; rate limits burn no attempt', async () => {
    await drainQueue();
    const task = await newTask({ maxAttempts: 2 });
    const clientId = await newClient('failing-worker');
    const failOnce = async (errorClass: string, retryable = true) => {
      const { claimTask } = await t.ok(op.CLAIM, { clientId });
      expect(claimTask.task.id).toBe(task.id);
      return (
        await t.ok(op.FAIL, {
          input: {
            taskId: task.id,
            leaseToken: claimTask.leaseToken,
            errorClass,
            message: `${errorClass} happened`,
            retryable,
          },
        })
      ).failTask;
    };
    expect(await failOnce('RATE_LIMITED')).toMatchObject({
      status: 'PENDING',
      attempts: 0,
      lastErrorClass: 'RATE_LIMITED',
    });
    expect(await failOnce('CHALLENGE')).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await failOnce('NETWORK')).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'NETWORK happened' });
    expect(await failOnce('NETWORK')).toMatchObject({ status: 'DEAD', attempts: 2 });
    expect((await t.ok(op.CLAIM, { clientId })).claimTask).toBeNull();
    expect((await t.ok(op.CLIENT, { id: clientId })).client.tasksFailed).toBe(1);

    expect((await t.ok(op.RETRY, { id: task.id })).retryTask).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await failOnce('PARSE', false)).toMatchObject({ status: 'FAILED', attempts: 1 });
    const again = await t.gql(op.RETRY, { id: (await newTask()).id });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('backs off: a retried task is not claimable before its run-at', async () => {
    // A backoff of minutes, not seconds: the claim below must find nothing, and on a busy box the two calls before
    // it can take seconds (with 30 s ± 20 % the task was claimable again after 24 s).
    t = await t.restart({ retryBaseSeconds: 600, retryMaxSeconds: 1200 });
    await drainQueue();
    const task = await newTask();
    const clientId = await newClient('backoff-worker');
    const { claimTask } = await t.ok(op.CLAIM, { clientId });
    const before = Date.now();
    const { failTask } = await t.ok(op.FAIL, {
      input: { taskId: task.id, leaseToken: claimTask.leaseToken, errorClass: 'NETWORK', message: 'x' },
    });
    const after = Date.now();
    // run-at = the gate's now (between before and after, however slow the call) + 600 s ± 20 % jitter
    expect((Date.parse(failTask.runAt) - before) / 1000).toBeGreaterThan(600 * 0.8 - 1);
    expect((Date.parse(failTask.runAt) - after) / 1000).toBeLessThan(600 * 1.2 + 1);
    expect((await t.ok(op.CLAIM, { clientId })).claimTask).toBeNull();
  });

  it('cancels a running task: the holder learns it from its next progress report and heartbeat', async () => {
    await drainQueue();
    const task = await newTask();
    const clientId = await newClient('cancelled-worker');
    const { claimTask } = await t.ok(op.CLAIM, { clientId });
    expect((await t.ok(op.CANCEL, { id: task.id })).cancelTask.status).toBe('CANCELLED');
    const progress = await t.gql(op.PROGRESS, {
      input: { taskId: task.id, leaseToken: claimTask.leaseToken, documentsDownloaded: 1 },
    });
    expect(progress.errors?.[0].extensions).toMatchObject({ code: 'LEASE_LOST', reason: 'CANCELLED' });
    const { heartbeat } = await t.ok(op.HEARTBEAT, { clientId, taskIds: [task.id] });
    expect(heartbeat.revokedTaskIds).toEqual([task.id]);
    const complete = await t.gql(op.COMPLETE, {
      input: { taskId: task.id, leaseToken: claimTask.leaseToken, documentsDownloaded: 1 },
    });
    expect(complete.errors?.[0].extensions?.code).toBe('LEASE_LOST');
    expect((await t.ok(op.TASK, { id: task.id })).task.status).toBe('CANCELLED');
    const twice = await t.gql(op.CANCEL, { id: task.id });
    expect(twice.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('releases tasks on shutdown: claimable again at once, no attempt used', async () => {
    await drainQueue();
    const [a, b] = [await newTask(), await newTask()];
    const leaving = await newClient('leaving-worker');
    const { claimTasks } = await t.ok(op.CLAIM_MANY, { clientId: leaving, limit: 5 });
    expect(claimTasks.map((l: { task: { id: string } }) => l.task.id).sort()).toEqual([a.id, b.id].sort());
    const { releaseTasks } = await t.ok(op.RELEASE, {
      leases: claimTasks.map((l: { leaseToken: string; task: { id: string } }) => ({
        taskId: l.task.id,
        leaseToken: l.leaseToken,
      })),
    });
    expect(releaseTasks.map((r: { status: string }) => r.status)).toEqual(['PENDING', 'PENDING']);
    const other = await newClient('other-worker');
    const { claimTasks: again } = await t.ok(op.CLAIM_MANY, { clientId: other, limit: 5 });
    expect(again).toHaveLength(2);
    const { task } = await t.ok(op.TASK, { id: a.id });
    expect(task.attempts).toBe(0);
  });

  it('completes a batch in one call: each item answers on its own, repeats count once', async () => {
    await drainQueue();
    const ids = [(await newTask()).id, (await newTask()).id, (await newTask()).id];
    const clientId = await newClient('batch-worker');
    const { claimTasks } = await t.ok(op.CLAIM_MANY, { clientId, limit: 3 });
    const completions = claimTasks.map((l: { leaseToken: string; task: { id: string } }) => ({
      taskId: l.task.id,
      leaseToken: l.leaseToken,
      documentsDownloaded: 2,
    }));
    completions[2].leaseToken = '00000000-0000-4000-8000-000000000000'; // not this task's lease
    const BULK = `mutation($c: [CompleteTaskInput!]!) { completeTasks(input: { completions: $c }) { taskId errorCode task { status } } }`;
    const first = (await t.ok(BULK, { c: completions })).completeTasks;
    expect(first.map((r: { errorCode: string | null }) => r.errorCode)).toEqual([null, null, 'LEASE_LOST']);
    expect(first.slice(0, 2).map((r: { task: { status: string } }) => r.task.status)).toEqual([
      'COMPLETED',
      'COMPLETED',
    ]);
    expect((await t.ok(BULK, { c: completions })).completeTasks).toEqual(first);
    expect((await t.ok(op.CLIENT, { id: clientId })).client).toMatchObject({
      tasksCompleted: 2,
      documentsDownloaded: 4,
    });
    expect(ids).toContain(first[2].taskId);
  });

  it('answers a batch in the order of its items, in the order of their claim or not', async () => {
    await drainQueue();
    for (let i = 0; i < 4; i++) await newTask();
    const clientId = await newClient('reordering-worker');
    const { claimTasks } = await t.ok(op.CLAIM_MANY, { clientId, limit: 4 });
    const items = claimTasks.map((l: { leaseToken: string; task: { id: string } }) => ({
      taskId: l.task.id,
      leaseToken: l.leaseToken,
      documentsDownloaded: 1,
    }));
    const BULK = `mutation($c: [CompleteTaskInput!]!) { completeTasks(input: { completions: $c }) { taskId errorCode } }`;
    for (const batch of [items.slice(0, 2), items.slice(2).reverse()]) {
      const { completeTasks } = await t.ok(BULK, { c: batch });
      expect(completeTasks).toEqual(batch.map((c: { taskId: string }) => ({ taskId: c.taskId, errorCode: null })));
    }
  });

  it('answers a batch with every task field the query selects, through fragments too', async () => {
    await drainQueue();
    await newTask();
    await newTask();
    const clientId = await newClient('selecting-worker');
    // a batch fetches only each task's key when the query reads no more than its id (schema/selection.ts)
    const CLAIM_SELECTING = `mutation($c: ID!) { claimTasks(input: { clientId: $c, limit: 5 }) {
      leaseToken leaseEpoch leaseExpiresAt task { id ...Held } } }
      fragment Held on Task { status searchParams leaseHolder { id } ... on Task { leaseExpiresAt claimedAt } }`;
    const { claimTasks } = await t.ok(CLAIM_SELECTING, { c: clientId });
    expect(claimTasks).toHaveLength(2);
    for (const lease of claimTasks) {
      expect(lease.task).toMatchObject({
        status: 'CLAIMED',
        searchParams: { CourtRegion: ['11'], INSType: ['1'] },
        leaseHolder: { id: clientId },
      });
      expect(lease.task.leaseExpiresAt).toBe(lease.leaseExpiresAt);
      expect(lease.leaseEpoch).toBe(1);
      expect(typeof lease.task.claimedAt).toBe('string');
    }
    const completions = claimTasks.map((l: { leaseToken: string; task: { id: string } }) => ({
      taskId: l.task.id,
      leaseToken: l.leaseToken,
      documentsDownloaded: 2,
    }));
    const keyOnly = `mutation($c: [CompleteTaskInput!]!) { completeTasks(input: { completions: $c }) { taskId errorCode task { id } } }`;
    const done = (await t.ok(keyOnly, { c: completions })).completeTasks;
    expect(done.map((r: { task: { id: string } }) => r.task.id)).toEqual(
      completions.map((c: { taskId: string }) => c.taskId),
    );
    // the repeat, answered with more of each task
    const more = `mutation($c: [CompleteTaskInput!]!) { completeTasks(input: { completions: $c }) {
      errorCode task { id ... on Task { status documentsDownloaded completedAt } } } }`;
    for (const item of (await t.ok(more, { c: completions })).completeTasks) {
      expect(item).toMatchObject({ errorCode: null, task: { status: 'COMPLETED', documentsDownloaded: 2 } });
      expect(typeof item.task.completedAt).toBe('string');
    }
  });

  it("answers a batch's lease fields whichever of them the query selects, through fragments too", async () => {
    await drainQueue();
    for (let i = 0; i < 6; i++) await newTask();
    const clientId = await newClient('lease-fields-worker');
    // a query reading no more of the lease than its token fetches neither epoch nor expiry (schema/lease.ts)
    const claim = (leaseFields: string, fragments = '') =>
      t.ok(
        `mutation($c: ID!) { claimTasks(input: { clientId: $c, limit: 2 }) { ${leaseFields} task { id } } } ${fragments}`,
        { c: clientId },
      );
    const tokenOnly = (await claim('leaseToken __typename')).claimTasks;
    const withEpoch = (await claim('leaseToken leaseEpoch')).claimTasks;
    const throughFragment = (await claim('...Expiry', 'fragment Expiry on Lease { leaseToken leaseExpiresAt }'))
      .claimTasks;
    expect([tokenOnly, withEpoch, throughFragment].map((leases) => leases.length)).toEqual([2, 2, 2]);
    for (const lease of tokenOnly) expect(Object.keys(lease)).toEqual(['leaseToken', '__typename', 'task']);
    for (const lease of withEpoch) expect(lease.leaseEpoch).toBe(1);
    for (const lease of throughFragment) {
      const { leaseExpiresAt } = await prisma.task.findUniqueOrThrow({ where: { id: lease.task.id } });
      expect(lease.leaseExpiresAt).toBe(leaseExpiresAt!.toISOString());
    }
    const held = await prisma.task.findMany({ where: { leaseHolderId: clientId } });
    expect(held).toHaveLength(6);
    const tokens = new Map(held.map((task) => [task.id, task.leaseToken]));
    for (const lease of [...tokenOnly, ...withEpoch, ...throughFragment])
      expect(lease.leaseToken).toBe(tokens.get(lease.task.id));
  });
});
