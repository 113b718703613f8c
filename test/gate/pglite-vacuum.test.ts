// The gate's vacuum pass on embedded PGlite (server/pglite-vacuum.ts), which has no autovacuum: after churn it
// vacuums and analyzes the tables autovacuum's rules pick (tasks, task_events), a pass with nothing changed does
// nothing, it runs on its own timer, and a gate on PostgreSQL never runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { flushTableStatistics } from '../../server/db/sql/flush-table-statistics.ts';
import { PgliteVacuum } from '../../server/pglite-vacuum.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { sample, scrape } from '../support/metrics.ts';
import { eventually } from '../worker/support.ts';
import * as op from './operations.ts';

/** Enough task_events rows (3 a task) to pass the insert rule's 1000 on a table that was almost empty. */
const CHURNED_TASKS = 400;

interface TableStats {
  relname: string;
  n_dead_tup: number;
  vacuum_count: number;
  analyze_count: number;
  last_vacuum: Date | null;
  last_analyze: Date | null;
}

/** The counters as they are now: the session's pending counts flushed first (PGlite sends them once a second). */
async function tableStats(): Promise<Map<string, TableStats>> {
  await flushTableStatistics();
  const rows = await prisma.$queryRaw<TableStats[]>`
    SELECT relname, n_dead_tup::int AS n_dead_tup, vacuum_count::int AS vacuum_count,
      analyze_count::int AS analyze_count, last_vacuum, last_analyze
    FROM pg_stat_user_tables`;
  return new Map(rows.map((row) => [row.relname, row]));
}

/** CHURNED_TASKS tasks created, claimed and completed: an update of each task row and three events each. */
async function churn(t: TestGate): Promise<void> {
  const tasks = Array.from({ length: CHURNED_TASKS }, () => ({ searchParams: op.region11 }));
  await t.ok(op.CREATE_TASKS, { tasks });
  const clientId = (await t.ok(op.REGISTER, { name: 'vacuum-churn' })).registerClient.id;
  for (let done = 0; done < CHURNED_TASKS; ) {
    const { claimTasks } = await t.ok(op.CLAIM_MANY, { clientId, limit: 100 });
    expect(claimTasks.length).toBeGreaterThan(0);
    for (const lease of claimTasks) {
      await t.ok(op.COMPLETE, {
        input: { taskId: lease.task.id, leaseToken: lease.leaseToken, documentsDownloaded: 0 },
      });
    }
    done += claimTasks.length;
  }
}

describe('vacuum pass (PGlite)', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('pglite');
  });
  afterAll(() => t?.stop());

  it('does nothing once nothing changed', async () => {
    const pass = t.gate.pgliteVacuum!;
    // What start-up changed (migrations, the admin key) and what the passes' own ANALYZEs write settle first.
    await eventually(async () => (await pass.tick())?.length === 0, undefined, 'a pass with no table due');
    const before = await tableStats();
    expect(await pass.tick()).toEqual([]);
    const after = await tableStats();
    for (const [name, stats] of after) {
      expect([name, stats.vacuum_count, stats.analyze_count]).toEqual([
        name,
        before.get(name)?.vacuum_count,
        before.get(name)?.analyze_count,
      ]);
    }
  });

  it('never picks pg_statistic for ANALYZE, which skips it: the passes after one that analyzed catalogs settle', async () => {
    // An ANALYZE of every table writes pg_statistic rows for each (far past its analyze rule) and leaves its own
    // changed-rows count where it is, as ANALYZE never analyzes pg_statistic.
    await prisma.$executeRawUnsafe('ANALYZE');
    const pass = t.gate.pgliteVacuum!;
    const first = await pass.tick();
    expect(first?.filter((step) => step.table === 'pg_statistic' && step.action === 'analyze')).toEqual([]);
    await eventually(async () => (await pass.tick())?.length === 0, undefined, 'a pass with no table due');
  });

  it('vacuums and analyzes tasks and task_events after claims and completions', async () => {
    await churn(t);
    const before = await tableStats();
    expect(before.get('tasks')!.n_dead_tup).toBeGreaterThan(50);

    const done = await t.gate.pgliteVacuum!.tick();
    expect(done).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ table: 'tasks', action: 'vacuum' }),
        expect.objectContaining({ table: 'tasks', action: 'analyze' }),
        expect.objectContaining({ table: 'task_events', action: 'vacuum' }),
        expect.objectContaining({ table: 'task_events', action: 'analyze' }),
      ]),
    );
    const after = await tableStats();
    for (const table of ['tasks', 'task_events']) {
      expect(after.get(table)!.vacuum_count).toBe(before.get(table)!.vacuum_count + 1);
      expect(after.get(table)!.analyze_count).toBe(before.get(table)!.analyze_count + 1);
      expect(after.get(table)!.last_vacuum).not.toBeNull();
    }
    expect(after.get('tasks')!.n_dead_tup).toBeLessThan(before.get('tasks')!.n_dead_tup);
    // Each statement done is one observation on /metrics.
    const metrics = await scrape(t.url);
    expect(sample(metrics, 'reyestr_pglite_vacuum_seconds_count', { table: 'tasks', action: 'vacuum' })).toBe(1);
  });

  it('runs on its own timer (PGLITE_VACUUM_INTERVAL_SECONDS)', async () => {
    t = await t.restart({ pgliteVacuumIntervalMs: 100 });
    const before = (await tableStats()).get('tasks')!;
    await churn(t);
    await eventually(
      async () => ((await tableStats()).get('tasks')!.vacuum_count > before.vacuum_count ? true : null),
      undefined,
      'tasks vacuumed by the timer',
    );
  });
});

describe('vacuum pass setting', () => {
  it('PGLITE_VACUUM_INTERVAL_SECONDS: a minute by default, 0 for never', async () => {
    const { loadConfig } = await import('../../server/config.ts');
    expect(loadConfig({}, { dotenv: false }).pgliteVacuumIntervalMs).toBe(60_000);
    expect(loadConfig({ PGLITE_VACUUM_INTERVAL_SECONDS: '0' }, { dotenv: false }).pgliteVacuumIntervalMs).toBe(0);
    expect(loadConfig({ PGLITE_VACUUM_INTERVAL_SECONDS: '0.5' }, { dotenv: false }).pgliteVacuumIntervalMs).toBe(500);
    expect(() => loadConfig({ PGLITE_VACUUM_INTERVAL_SECONDS: '-1' }, { dotenv: false })).toThrow(
      /PGLITE_VACUUM_INTERVAL_SECONDS/,
    );
  });
});

describe('vacuum pass (PostgreSQL)', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('postgres', { pgliteVacuumIntervalMs: 100 });
  });
  afterAll(() => t?.stop());

  it('is not started: autovacuum looks after PostgreSQL, and a pass there does nothing', async () => {
    expect(t.gate.pgliteVacuum).toBeNull();
    await churn(t);
    const pass = new PgliteVacuum(t.gate.database, 100, createLogger('silent'));
    expect(await pass.tick()).toEqual([]);
    const stats = await tableStats();
    expect(stats.get('tasks')!.last_vacuum).toBeNull();
    expect(stats.get('tasks')!.last_analyze).toBeNull();
  });
});
