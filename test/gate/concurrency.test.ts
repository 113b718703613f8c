// Four claimers racing for 800 tasks on PostgreSQL: every task is claimed exactly once. (800, not more: the
// race is the same at any size, and the test must finish on a busy 2-core CI box; bench:claim measures speed.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

const TASKS = 800;
const CLAIMERS = 4;

describe('concurrent claims (PostgreSQL)', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('postgres');
  });
  afterAll(() => t?.stop());

  it(`${CLAIMERS} claimers × ${TASKS} tasks: each claimed exactly once, all completed`, async () => {
    const tasks = Array.from({ length: TASKS }, (_, i) => ({ searchParams: op.region11, startPage: (i % 4000) + 1 }));
    const created = (await t.ok(op.CREATE_TASKS, { tasks })).createTasks as Array<{ id: string }>;
    expect(created).toHaveLength(TASKS);
    const clients = await Promise.all(
      Array.from(
        { length: CLAIMERS },
        async (_, i) => (await t.ok(op.REGISTER, { name: `racer-${i}` })).registerClient.id as string,
      ),
    );
    const claimedBy = new Map<string, number>();
    let duplicates = 0;
    await Promise.all(
      clients.map(async (clientId, worker) => {
        for (;;) {
          // mix single and batched claims, as real workers do
          const limit = 1 + ((worker * 7 + claimedBy.size) % 5);
          const { claimTasks } = await t.ok(op.CLAIM_MANY, { clientId, limit });
          if (claimTasks.length === 0) return;
          for (const lease of claimTasks as Array<{ leaseToken: string; task: { id: string } }>) {
            if (claimedBy.has(lease.task.id)) duplicates++;
            claimedBy.set(lease.task.id, worker);
            await t.ok(op.COMPLETE, {
              input: { taskId: lease.task.id, leaseToken: lease.leaseToken, documentsDownloaded: 1 },
            });
          }
        }
      }),
    );
    expect(duplicates).toBe(0);
    expect(claimedBy.size).toBe(TASKS);
    expect(new Set(claimedBy.values()).size).toBe(CLAIMERS); // all four really competed
    const stats = (await t.ok(`{ stats { completed pending running } }`)).stats;
    expect(stats).toEqual({ completed: TASKS, pending: 0, running: 0 });
    const credited = (await t.ok(`{ clients { tasksCompleted } }`)).clients.reduce(
      (a: number, c: { tasksCompleted: number }) => a + c.tasksCompleted,
      0,
    );
    expect(credited).toBe(TASKS);
  }, 300_000);
});
