// Coalesced lease writes (server/services/lease-batches.ts) on PostgreSQL and PGlite, through the service layer
// that GraphQL and REST call: single claims and completions made together share one statement (one transaction: the
// rows they change carry the same xmin), and each request still gets exactly the answer it would have got alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { SYSTEM_ACTOR } from '../../server/services/actor.ts';
import { authenticate, createApiKey } from '../../server/services/api-keys.ts';
import { registerClient } from '../../server/services/clients.ts';
import { claimTasks, completeHeldTask, completeTask } from '../../server/services/leases.ts';
import { createTasks } from '../../server/services/tasks.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { region11 } from './operations.ts';

describe.each(['postgres', 'pglite'] as const)('coalesced claims and completions on %s', (storage) => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate(storage, { leaseSeconds: 60 });
  });
  afterAll(() => t?.stop());

  const newClient = async (name: string, actor = SYSTEM_ACTOR) => (await registerClient(actor, { name })).id;
  const newTasks = async (n: number) => {
    await prisma.task.deleteMany({});
    const tasks = Array.from({ length: n }, (_, i) => ({ searchParams: region11, startPage: i + 1 }));
    return (await createTasks(SYSTEM_ACTOR, tasks)).map((task) => task.id);
  };
  /** the transactions that last changed these tasks */
  const writers = async (taskIds: string[]) =>
    new Set(
      (
        await prisma.$queryRaw<
          Array<{ xmin: string }>
        >`SELECT xmin::text AS xmin FROM tasks WHERE id = ANY(${taskIds}::uuid[])`
      ).map((r) => r.xmin),
    );
  const workerActor = async (name: string) =>
    authenticate((await createApiKey(SYSTEM_ACTOR, { name, role: 'WORKER' })).key);

  it('single claims made together share one statement; each gets a task of its own', async () => {
    const taskIds = await newTasks(6);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => newClient(`batch-${n}`)));
    const claimers = [a, a, b, c, b];
    const leases = (await Promise.all(claimers.map((clientId) => claimTasks(SYSTEM_ACTOR, { clientId })))).map(
      ([lease]) => lease,
    );
    expect(leases.map((l) => l.task.leaseHolderId)).toEqual(claimers);
    const claimed = leases.map((l) => l.task.id);
    expect(new Set(claimed).size).toBe(5);
    expect(claimed.every((id) => taskIds.includes(id))).toBe(true);
    expect(await writers(claimed)).toHaveProperty('size', 1);
    const events = await prisma.taskEvent.findMany({ where: { type: 'CLAIMED', taskId: { in: claimed } } });
    expect(events.map((e) => [e.taskId, e.clientId]).toSorted()).toEqual(
      leases.map((l) => [l.task.id, l.task.leaseHolderId]).toSorted(),
    );
    expect(leases.every((l) => l.leaseToken && l.leaseEpoch === 1)).toBe(true);
  });

  it('a claimer that may not claim gets what it would alone, the others in the batch are served', async () => {
    await newTasks(4);
    const worker = await workerActor('batch-owner');
    const stranger = await workerActor('batch-stranger');
    const [free, paused, owned] = [
      await newClient('batch-free'),
      await newClient('batch-paused'),
      await newClient('batch-owned', worker),
    ];
    await prisma.client.update({ where: { id: paused }, data: { paused: true } });
    const answers = await Promise.allSettled([
      claimTasks(SYSTEM_ACTOR, { clientId: free }),
      claimTasks(SYSTEM_ACTOR, { clientId: paused }),
      claimTasks(stranger, { clientId: owned }), // another key's client: refused
      claimTasks(worker, { clientId: owned }), // its own: served, in its own statement (another key for this client)
    ]);
    const [forFree, forPaused, forStranger, forOwner] = answers;
    expect(forFree.status === 'fulfilled' && forFree.value.map((l) => l.task.leaseHolderId)).toEqual([free]);
    expect(forPaused).toEqual({ status: 'fulfilled', value: [] });
    expect(forStranger.status === 'rejected' && forStranger.reason.code).toBe('FORBIDDEN');
    expect(forOwner.status === 'fulfilled' && forOwner.value.map((l) => l.task.leaseHolderId)).toEqual([owned]);
    expect(await prisma.task.count({ where: { status: 'CLAIMED' } })).toBe(2);
  });

  it('completions made together share one statement; a repeat in the same turn answers the same and counts once', async () => {
    await newTasks(4);
    const clientId = await newClient('batch-completer');
    const leases = (await Promise.all([1, 2, 3, 4].map(() => claimTasks(SYSTEM_ACTOR, { clientId })))).flat();
    const held = (i: number) => ({ taskId: leases[i].task.id, documentsDownloaded: 10 + i });
    const body = (i: number) => ({ ...held(i), leaseToken: leases[i].leaseToken });
    const [byToken0, byToken1, repeat0, byHolder2, byHolder3] = await Promise.all([
      completeTask(SYSTEM_ACTOR, body(0)),
      completeTask(SYSTEM_ACTOR, body(1)),
      completeTask(SYSTEM_ACTOR, body(0)),
      completeHeldTask(SYSTEM_ACTOR, clientId, held(2)),
      completeHeldTask(SYSTEM_ACTOR, clientId, held(3)),
    ]);
    expect(
      [byToken0, byToken1, repeat0, byHolder2, byHolder3].map((row) => [row?.status, row?.documentsDownloaded]),
    ).toEqual([
      ['COMPLETED', 10],
      ['COMPLETED', 11],
      ['COMPLETED', 10],
      ['COMPLETED', 12],
      ['COMPLETED', 13],
    ]);
    expect(await writers(leases.slice(0, 2).map((l) => l.task.id))).toHaveProperty('size', 1);
    expect(await writers(leases.slice(2).map((l) => l.task.id))).toHaveProperty('size', 1);
    const client = await prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    expect([client.tasksCompleted, client.documentsDownloaded]).toEqual([4, 10 + 11 + 12 + 13]);
    expect(await prisma.taskEvent.count({ where: { type: 'COMPLETED', clientId } })).toBe(4);
  });

  it('requests for key rows, key-and-input rows and whole rows share a statement; each gets the widest asked', async () => {
    const taskIds = await newTasks(6);
    const [a, b] = await Promise.all(['a', 'b'].map((n) => newClient(`batch-columns-${n}`)));
    const KEY = ['documentsDownloaded', 'id', 'leaseEpoch', 'leaseExpiresAt', 'leaseHolderId', 'leaseToken', 'status'];
    const KEY_AND_INPUT = [...KEY, 'maxDocuments', 'searchParams', 'startPage'].toSorted();
    const fieldsOf = (row: object) => Object.keys(row).toSorted();
    // key only: both claims in one statement get key rows
    const keyOnly = (await Promise.all([a, b].map((clientId) => claimTasks(SYSTEM_ACTOR, { clientId }, 'key')))).flat();
    expect(keyOnly.map((l) => [l.task.leaseHolderId, l.task.status, fieldsOf(l.task)])).toEqual([
      [a, 'CLAIMED', KEY],
      [b, 'CLAIMED', KEY],
    ]);
    expect(keyOnly.every((l) => l.leaseToken === l.task.leaseToken && l.leaseExpiresAt instanceof Date)).toBe(true);
    // key and key-and-input: both get the task's input too
    const withInput = (
      await Promise.all([
        claimTasks(SYSTEM_ACTOR, { clientId: a }, 'key'),
        claimTasks(SYSTEM_ACTOR, { clientId: b }, 'keyAndInput'),
      ])
    ).flat();
    expect(withInput.map((l) => [l.task.leaseHolderId, fieldsOf(l.task)])).toEqual([
      [a, KEY_AND_INPUT],
      [b, KEY_AND_INPUT],
    ]);
    for (const { task } of withInput) {
      const stored = await prisma.task.findUniqueOrThrow({ where: { id: task.id } });
      expect(task).toEqual(Object.fromEntries(KEY_AND_INPUT.map((f) => [f, stored[f as keyof typeof stored]])));
    }
    // with a whole row asked: the statement returns whole rows, which every request gets
    const mixed = (
      await Promise.all([claimTasks(SYSTEM_ACTOR, { clientId: a }, 'key'), claimTasks(SYSTEM_ACTOR, { clientId: b })])
    ).flat();
    expect(mixed.map((l) => [l.task.leaseHolderId, 'kind' in l.task])).toEqual([
      [a, true],
      [b, true],
    ]);
    const leases = [...keyOnly, ...withInput, ...mixed];
    expect(new Set(leases.map((l) => l.task.id))).toEqual(new Set(taskIds));
    for (const pair of [keyOnly, withInput, mixed])
      expect(await writers(pair.map((l) => l.task.id))).toHaveProperty('size', 1);
    const held = (i: number) => ({ taskId: leases[i].task.id, documentsDownloaded: i });
    const body = (i: number) => ({ ...held(i), leaseToken: leases[i].leaseToken });
    const completed = await Promise.all([
      completeTask(SYSTEM_ACTOR, body(0), 'key'),
      completeTask(SYSTEM_ACTOR, body(1), 'key'),
      completeHeldTask(SYSTEM_ACTOR, b, held(3), 'key'),
    ]);
    expect(completed.map((row) => [row?.id, row?.status, row?.documentsDownloaded, fieldsOf(row!)])).toEqual([
      [leases[0].task.id, 'COMPLETED', 0, KEY],
      [leases[1].task.id, 'COMPLETED', 1, KEY],
      [leases[3].task.id, 'COMPLETED', 3, KEY],
    ]);
    const completedMixed = await Promise.all([
      completeTask(SYSTEM_ACTOR, body(4), 'key'),
      completeTask(SYSTEM_ACTOR, body(5)),
    ]);
    expect(completedMixed.map((row) => [row.id, row.status, row.documentsDownloaded, 'kind' in row])).toEqual([
      [leases[4].task.id, 'COMPLETED', 4, true],
      [leases[5].task.id, 'COMPLETED', 5, true],
    ]);
    expect(await writers(completedMixed.map((row) => row.id))).toHaveProperty('size', 1);
    // a repeat is answered with the whole row, whatever was asked
    const repeat = await completeTask(SYSTEM_ACTOR, body(0), 'key');
    expect([repeat.id, repeat.status, 'kind' in repeat]).toEqual([leases[0].task.id, 'COMPLETED', true]);
  });

  it('a completion with a stale token in a batch gets LEASE_LOST; the others complete', async () => {
    await newTasks(2);
    const clientId = await newClient('batch-stale');
    const [[first], [second]] = await Promise.all([1, 2].map(() => claimTasks(SYSTEM_ACTOR, { clientId })));
    const answers = await Promise.allSettled([
      completeTask(SYSTEM_ACTOR, { taskId: first.task.id, leaseToken: second.leaseToken, documentsDownloaded: 1 }),
      completeTask(SYSTEM_ACTOR, { taskId: second.task.id, leaseToken: second.leaseToken, documentsDownloaded: 1 }),
    ]);
    expect(answers[0].status === 'rejected' && answers[0].reason.code).toBe('LEASE_LOST');
    expect(answers[1].status === 'fulfilled' && answers[1].value.status).toBe('COMPLETED');
  });
});
