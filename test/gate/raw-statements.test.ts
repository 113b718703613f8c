// The hot statements run on the driver itself (Database.run), past Prisma: their rows must be what Prisma gives
// for the same rows (bigint seqs, Dates, parsed JSON, enum strings), on both storages — GraphQL and REST build
// their answers from them as from Prisma's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { claimTasks } from '../../server/db/sql/claim-tasks.ts';
import { completeHeldTasks, completeTasks } from '../../server/db/sql/complete-task.ts';
import { eventsBetween } from '../../server/db/sql/events-between.ts';
import { insertTasks } from '../../server/db/sql/insert-tasks.ts';
import { reportProgress } from '../../server/db/sql/report-progress.ts';
import { taskById } from '../../server/db/sql/task-by-id.ts';
import { parseId } from '../../server/services/ids.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

/** The fields every new task of these tests shares. */
const base = { kind: 'DOWNLOAD' as const, searchParams: { CourtRegion: ['11'] }, maxDocuments: 25, maxAttempts: 3 };
/** Two runnable tasks (result pages 1 and 2); their ids. */
const insertTwoTasks = async () =>
  (
    await insertTasks(
      [1, 2].map((startPage) => ({ ...base, startPage, priority: 0, runAt: null, dedupKey: null, parentId: null })),
    )
  ).map((row) => row.id);
/** The last seq in the event log now (0 when it is empty): a test's events are those after it. */
const lastEventSeq = async () => (await prisma.taskEvent.findFirst({ orderBy: { seq: 'desc' } }))?.seq ?? 0n;

describe.each(['postgres', 'pglite'] as const)('raw hot statements on %s', (storage) => {
  let t: TestGate;
  let clientId: string;
  beforeAll(async () => {
    t = await startTestGate(storage);
    clientId = (await t.ok(op.REGISTER, { name: 'raw' })).registerClient.id;
  });
  afterAll(() => t?.stop());

  it('claim, progress and complete return the rows Prisma reads back', async () => {
    const { id } = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask;
    const [claimed] = await claimTasks(clientId, 1, 60);
    expect(claimed.id).toBe(id);
    expect(claimed).toEqual(await prisma.task.findUnique({ where: { id } }));
    expect(claimed.leaseExpiresAt).toBeInstanceOf(Date);
    expect(claimed.searchParams).toEqual({ CourtRegion: ['11'], INSType: ['1'] }); // stored as lists

    const counts = { documentsDownloaded: 3, documentsFailed: 1, documentsSkipped: 0, totalExpected: 9 };
    const [running] = await reportProgress(id, claimed.leaseToken!, counts, 60);
    expect(running).toEqual(await prisma.task.findUnique({ where: { id } }));
    expect(running).toMatchObject({ status: 'RUNNING', documentsDownloaded: 3, totalExpected: 9 });

    const summary = { pages: [1, 2], note: 'ok' };
    const [done] = await completeTasks([
      { taskId: id, leaseToken: claimed.leaseToken!, ...counts, resultSummary: summary, completionHash: 'h' },
    ]);
    const stored = await prisma.task.findUnique({ where: { id } });
    expect(done).toEqual(stored);
    expect(await taskById(id)).toEqual(stored);
    expect(done).toMatchObject({ status: 'COMPLETED', resultSummary: summary });
    expect(await taskById('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('creation returns the rows Prisma reads back', async () => {
    const rows = await insertTasks([
      { ...base, startPage: 1, priority: 2, runAt: null, dedupKey: null, parentId: null },
      { ...base, startPage: 2, priority: 0, runAt: '2030-01-01T00:00:00Z', dedupKey: 'raw-dedup', parentId: null },
    ]);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toEqual(await prisma.task.findUnique({ where: { id: row.id } }));
    expect(rows[1].runAt).toEqual(new Date('2030-01-01T00:00:00Z'));
    await prisma.task.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } }); // not claimable by the next tests
  });

  it('new task ids sort in creation order, differ in their first 8 hex digits and pass the id check', async () => {
    const given = Array.from({ length: 300 }, (_, i) => ({
      ...base,
      startPage: i + 1,
      priority: 0,
      runAt: '2030-01-01T00:00:00Z',
      dedupKey: i % 7 === 3 ? 'raw-ids-dedup' : null, // later rows with the key are skipped: order must hold anyway
      parentId: null,
    }));
    const rows = await insertTasks(given);
    expect(rows.map((r) => r.startPage)).toEqual(
      given.filter((_, i) => i % 7 !== 3 || i === 3).map((t) => t.startPage),
    );
    const ids = rows.map((r) => r.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(ids.length);
    for (const id of ids) expect(parseId(id.toUpperCase())).toBe(id);
    await prisma.task.deleteMany({ where: { id: { in: ids } } });
  });

  it('a batch of completions stores each result summary as sent, whatever its JSON kind', async () => {
    // the completions travel as one array per column (complete-task.ts): a summary is a jsonb[] element
    const summaries = [{ a: 1, quoted: 'x"y\\z{},' }, 'plain "string"', 5, null, [1, { b: null }]];
    const given = summaries.map((_, i) => ({
      ...base,
      startPage: i + 1,
      priority: 0,
      runAt: null,
      dedupKey: null,
      parentId: null,
    }));
    const ids = (await insertTasks(given)).map((row) => row.id);
    const leases = await claimTasks(clientId, summaries.length, 60);
    expect(leases.map((l) => l.id).sort()).toEqual([...ids].sort());
    const byId = new Map(leases.map((l) => [l.id, l]));
    const counts = { documentsDownloaded: 2, documentsFailed: 1, documentsSkipped: 0 };
    const withToken = ids.slice(0, 3).map((id, i) => ({
      taskId: id,
      leaseToken: byId.get(id)!.leaseToken!,
      ...counts,
      resultSummary: summaries[i],
      completionHash: `t${i}`,
    }));
    const byHolder = ids.slice(3).map((id, i) => ({
      taskId: id,
      holderId: clientId,
      ...counts,
      resultSummary: summaries[3 + i],
      completionHash: `h${i}`,
    }));
    expect(await completeTasks(withToken)).toHaveLength(3);
    expect(await completeHeldTasks(byHolder)).toHaveLength(2);
    for (const [i, id] of ids.entries()) {
      const stored = await prisma.task.findUnique({ where: { id } });
      expect(stored).toMatchObject({ status: 'COMPLETED', documentsDownloaded: 2, documentsFailed: 1 });
      expect(stored!.resultSummary).toEqual(summaries[i]);
    }
  });

  it('a batch with the lease token or counted columns returns those of the stored rows, and its events', async () => {
    // GraphQL's `leaseToken task { id }` and `taskId errorCode` (schema/lease.ts): a claim reads no epoch or expiry
    const ids = await insertTwoTasks();
    const after = await lastEventSeq();
    const stored = async (id: string) => (await prisma.task.findUnique({ where: { id } }))!;
    const leases = await claimTasks(clientId, 2, 60, null, 'leaseToken');
    expect(leases.map((l) => l.id).sort()).toEqual([...ids].sort());
    for (const lease of leases) {
      const { id, leaseToken } = await stored(lease.id);
      expect(lease).toEqual({ id, leaseToken });
    }
    const counts = { documentsDownloaded: 3, documentsFailed: 0, documentsSkipped: 1, resultSummary: null };
    const done = await completeTasks(
      leases.map((l) => ({ taskId: l.id, leaseToken: l.leaseToken!, ...counts, completionHash: 'c' })),
      'counted',
    );
    expect(done).toHaveLength(2);
    for (const row of done) {
      const { id, documentsDownloaded, status } = await stored(row.id);
      expect(row).toEqual({ id, documentsDownloaded });
      expect(status).toBe('COMPLETED');
    }
    const events = await prisma.taskEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' } });
    for (const id of ids)
      expect(events.filter((e) => e.taskId === id).map((e) => [e.type, e.clientId])).toEqual([
        ['CLAIMED', clientId],
        ['COMPLETED', clientId],
      ]);
  });

  it('a batch with key columns returns those of the stored rows and writes the events and credit a whole one does', async () => {
    // key columns (GraphQL selects no more of the task): the statements keep only MOVED_KEY_COLUMNS of each row
    const ids = await insertTwoTasks();
    const after = await lastEventSeq();
    const before = (await prisma.client.findUnique({ where: { id: clientId } }))!;
    const keyOf = (row: Record<string, unknown> | null) => ({
      id: row!.id,
      status: row!.status,
      leaseToken: row!.leaseToken,
      leaseEpoch: row!.leaseEpoch,
      leaseExpiresAt: row!.leaseExpiresAt,
      documentsDownloaded: row!.documentsDownloaded,
      leaseHolderId: row!.leaseHolderId,
    });
    const leases = await claimTasks(clientId, 2, 60, null, 'key');
    expect(leases.map((l) => l.id).sort()).toEqual([...ids].sort());
    for (const lease of leases) expect(lease).toEqual(keyOf(await prisma.task.findUnique({ where: { id: lease.id } })));
    const counts = { documentsDownloaded: 4, documentsFailed: 1, documentsSkipped: 2, resultSummary: null };
    const done = await completeTasks(
      leases.map((l) => ({ taskId: l.id, leaseToken: l.leaseToken!, ...counts, completionHash: 'k' })),
      'key',
    );
    for (const row of done) expect(row).toEqual(keyOf(await prisma.task.findUnique({ where: { id: row.id } })));
    const events = await prisma.taskEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' } });
    for (const lease of leases) {
      const of = events.filter((e) => e.taskId === lease.id);
      expect(of.map((e) => [e.type, e.status, e.clientId])).toEqual([
        ['CLAIMED', 'CLAIMED', clientId],
        ['COMPLETED', 'COMPLETED', clientId],
      ]);
      const claimData = of[0].data as { epoch: number; leaseExpiresAt: string };
      expect({ ...claimData, leaseExpiresAt: new Date(claimData.leaseExpiresAt) }).toEqual({
        epoch: lease.leaseEpoch,
        leaseExpiresAt: lease.leaseExpiresAt,
      });
      expect(of[1].data).toEqual({ downloaded: 4, failed: 1, skipped: 2 });
    }
    const credited = (await prisma.client.findUnique({ where: { id: clientId } }))!;
    expect(credited.tasksCompleted - before.tasksCompleted).toBe(2);
    expect(credited.documentsDownloaded - before.documentsDownloaded).toBe(8);
  });

  it('a batch claim marks its claimer alive when it gets a task, and no other client', async () => {
    const other = (await t.ok(op.REGISTER, { name: 'raw-other' })).registerClient.id;
    const silent = { status: 'INACTIVE' as const, lastHeartbeatAt: new Date(Date.now() - 3_600_000) };
    await prisma.client.updateMany({ where: { id: { in: [clientId, other] } }, data: silent });
    await insertTwoTasks();
    expect(await claimTasks(clientId, 5, 60, null, 'key')).toHaveLength(2);
    const claimer = await prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    expect(claimer.status).toBe('ACTIVE');
    expect(claimer.lastHeartbeatAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await prisma.client.findUniqueOrThrow({ where: { id: other } })).toMatchObject(silent);
    // nothing to claim: the statement touches no one (the service tells "no work" from "not allowed" and touches)
    await prisma.client.update({ where: { id: clientId }, data: silent });
    expect(await claimTasks(clientId, 5, 60)).toEqual([]);
    expect(await prisma.client.findUniqueOrThrow({ where: { id: clientId } })).toMatchObject(silent);
  });

  it('a stale lease token changes nothing', async () => {
    const { id } = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask;
    const [claimed] = await claimTasks(clientId, 1, 60);
    expect(claimed.id).toBe(id);
    const stale = '00000000-0000-4000-8000-000000000001';
    expect(
      await reportProgress(id, stale, { documentsDownloaded: 1, documentsFailed: 0, documentsSkipped: 0 }, 60),
    ).toEqual([]);
    const c = {
      documentsDownloaded: 1,
      documentsFailed: 0,
      documentsSkipped: 0,
      resultSummary: null,
      completionHash: 'h',
    };
    expect(await completeTasks([{ taskId: id, leaseToken: stale, ...c }])).toEqual([]);
    expect((await taskById(id))?.status).toBe('CLAIMED');
  });

  it('reads the event log as Prisma does: bigint seqs, Dates, parsed data', async () => {
    const after = await lastEventSeq();
    await t.ok(op.CREATE_TASKS, { tasks: [{ searchParams: op.region11 }, { searchParams: op.region11, priority: 5 }] });
    const expected = await prisma.taskEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' } });
    expect(expected).toHaveLength(2);
    const read = await eventsBetween(after, null, 10);
    expect(read).toEqual(expected);
    expect(typeof read[0].seq).toBe('bigint');
    expect(read[1].data).toEqual({ priority: 5 });
    expect(await eventsBetween(after, read[0].seq, 10)).toEqual([expected[0]]);
    expect(await eventsBetween(after, null, 1)).toEqual([expected[0]]);
  });
});
