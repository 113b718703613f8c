// tasks.lease_holder_id has no foreign key (migration 20261205230000_lease_holder_without_foreign_key): GraphQL still
// reaches a task's holder and a worker's current tasks by id, deleting a worker clears its tasks' holder (a statement
// trigger, as the key's ON DELETE SET NULL did), and a claim locks its client's row, so a claim racing the client's
// deletion never leaves a holder that names no client.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { claimTaskForEach } from '../../server/db/sql/claim-task-for-each.ts';
import { claimTasks } from '../../server/db/sql/claim-tasks.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

const HOLDER = `query($id: ID!) { task(id: $id) { leaseHolder { id name } } }`;
const LISTS = `query { clients { name currentTasks { id leaseHolder { name } } }
  tasks(first: 50) { edges { node { id leaseHolder { name } } } } }`;

/** Tasks whose holder names no client: none, whatever races. */
const danglingHolders = async () =>
  (
    await prisma.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM tasks t
      WHERE t.lease_holder_id IS NOT NULL AND NOT EXISTS (SELECT FROM clients c WHERE c.id = t.lease_holder_id)`
  )[0].n;

describe.each(['postgres', 'pglite'] as const)('lease holder references on %s', (storage) => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate(storage);
  });
  afterAll(() => t?.stop());

  it("answers a task's holder and a worker's current tasks, and a worker's deletion clears its tasks' holder", async () => {
    const one = (await t.ok(op.REGISTER, { name: 'holder-one' })).registerClient;
    const two = (await t.ok(op.REGISTER, { name: 'holder-two' })).registerClient;
    const idle = (await t.ok(op.REGISTER, { name: 'holder-idle' })).registerClient;
    await t.ok(op.CREATE_TASKS, { tasks: Array(3).fill({ searchParams: op.region11 }) });
    const ofOne = (await t.ok(op.CLAIM_MANY, { clientId: one.id, limit: 2 })).claimTasks.map(
      (l: { task: { id: string } }) => l.task.id,
    );
    const [ofTwo] = (await t.ok(op.CLAIM_MANY, { clientId: two.id, limit: 1 })).claimTasks.map(
      (l: { task: { id: string } }) => l.task.id,
    );

    expect((await t.ok(HOLDER, { id: ofTwo })).task.leaseHolder).toEqual({ id: two.id, name: 'holder-two' });
    const lists = await t.ok(LISTS, {});
    const byName = new Map(lists.clients.map((c: { name: string }) => [c.name, c]));
    expect(byName.get('holder-one')).toEqual({
      name: 'holder-one',
      currentTasks: ofOne.map((id: string) => ({ id, leaseHolder: { name: 'holder-one' } })),
    });
    expect(byName.get('holder-two')).toEqual({
      name: 'holder-two',
      currentTasks: [{ id: ofTwo, leaseHolder: { name: 'holder-two' } }],
    });
    expect(byName.get('holder-idle')).toEqual({ name: 'holder-idle', currentTasks: [] });
    const holders = new Map(
      lists.tasks.edges.map((e: { node: { id: string; leaseHolder: unknown } }) => [e.node.id, e.node.leaseHolder]),
    );
    expect([...ofOne, ofTwo].map((id) => holders.get(id))).toEqual([
      { name: 'holder-one' },
      { name: 'holder-one' },
      { name: 'holder-two' },
    ]);

    await prisma.client.deleteMany({ where: { id: { in: [one.id, idle.id] } } });
    const rows = await prisma.task.findMany({ where: { id: { in: [...ofOne, ofTwo] } } });
    expect(new Map(rows.map((r) => [r.id, r.leaseHolderId]))).toEqual(
      new Map([
        [ofOne[0], null],
        [ofOne[1], null],
        [ofTwo, two.id],
      ]),
    );
    expect((await t.ok(HOLDER, { id: ofOne[0] })).task.leaseHolder).toBeNull();
    expect(await danglingHolders()).toBe(0);
    await prisma.task.deleteMany({}); // not claimable by the next tests
  });
});

// Two connections: one holds a transaction open while the other runs into it. PGlite has one connection (and does
// not go through pg's client, whose queries the first test counts).
describe('lease holder references on postgres: queries per list, races with deletion', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('postgres');
  });
  afterAll(() => t?.stop());

  const claims = {
    claimTasks: (clientId: string, tx?: Parameters<typeof claimTasks>[5]) =>
      claimTasks(clientId, 5, 60, null, undefined, tx),
    claimTaskForEach: (clientId: string, tx?: Parameters<typeof claimTasks>[5]) =>
      claimTaskForEach([{ clientId, ownerKeyId: null }], 60, undefined, tx),
  };

  /** Settles `promise` and says whether it did within `ms` (it should be waiting for a lock). */
  const settlesWithin = (promise: Promise<unknown>, ms: number) =>
    Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

  const newWorkerAndTask = async (name: string) => {
    const worker = (await t.ok(op.REGISTER, { name })).registerClient;
    const task = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask;
    return { worker, task };
  };

  it('answers the holders of a list of tasks, and the current tasks of a list of workers, with one query each', async () => {
    const workers = [];
    for (const name of ['list-a', 'list-b', 'list-c']) workers.push((await t.ok(op.REGISTER, { name })).registerClient);
    await t.ok(op.CREATE_TASKS, { tasks: Array(6).fill({ searchParams: op.region11 }) });
    for (const w of workers) await t.ok(op.CLAIM_MANY, { clientId: w.id, limit: 2 });
    const queries = vi.spyOn(pg.Client.prototype, 'query');
    try {
      /** Prisma's reads of `table` while `query` is answered (the gate's own raw statements are not Prisma's). */
      const readsOf = async (query: string, table: string) => {
        queries.mockClear();
        await t.ok(query, {});
        const texts = queries.mock.calls.map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text));
        return texts.filter((text) => text.startsWith(`SELECT "public"."${table}"`)).length;
      };
      expect(await readsOf('{ tasks(first: 50) { edges { node { id leaseHolder { name } } } } }', 'clients')).toBe(1);
      expect(await readsOf('{ clients { name currentTasks { id } } }', 'tasks')).toBe(1);
    } finally {
      queries.mockRestore();
    }
    await prisma.task.deleteMany({});
  });

  it.each(Object.keys(claims) as Array<keyof typeof claims>)(
    '%s: a deletion waits for a claim in flight, then clears the holder',
    async (which) => {
      const { worker, task } = await newWorkerAndTask(`claims-first-${which}`);
      let deletion: Promise<unknown> | undefined;
      await prisma.$transaction(async (tx) => {
        const claimed = await claims[which](worker.id, tx);
        expect(claimed.map((r) => r.id)).toEqual([task.id]);
        deletion = prisma.client.delete({ where: { id: worker.id } });
        expect(await settlesWithin(deletion, 300)).toBe(false);
      });
      await deletion;
      expect(await prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({
        status: 'CLAIMED',
        leaseHolderId: null,
      });
      expect(await danglingHolders()).toBe(0);
      await prisma.task.deleteMany({});
    },
  );

  it.each(Object.keys(claims) as Array<keyof typeof claims>)(
    '%s: a claim waits for a deletion in flight, then claims nothing',
    async (which) => {
      const { worker, task } = await newWorkerAndTask(`deleted-first-${which}`);
      let claim: Promise<Array<{ id: string }>> | undefined;
      await prisma.$transaction(async (tx) => {
        await tx.client.delete({ where: { id: worker.id } });
        claim = claims[which](worker.id);
        expect(await settlesWithin(claim, 300)).toBe(false);
      });
      expect(await claim).toEqual([]);
      expect(await prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({
        status: 'PENDING',
        leaseHolderId: null,
      });
      expect(await danglingHolders()).toBe(0);
      await prisma.task.deleteMany({});
    },
  );
});
