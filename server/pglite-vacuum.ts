// Vacuums and analyzes the tables of an embedded PGlite database, as PostgreSQL's autovacuum would. PGlite runs
// PostgreSQL's single-user backend: there is no autovacuum launcher, so without this the hot tables (tasks, whose
// every claim and completion is an update; task_events, clients, the activity rollups, documents) are never
// vacuumed nor analyzed — dead rows and index entries pile up and plans are made on statistics from whenever the
// table was small. Every interval one pass reads the statistics, picks the tables past autovacuum's own rules
// (db/sql/tables-due-for-vacuum.ts, with PostgreSQL's default settings below) and runs VACUUM and/or ANALYZE on
// each, one table and one of the two per statement: PGlite has one connection, and every other statement waits
// behind the one running, so a pass never holds it longer than one table's plain VACUUM (never FULL) or ANALYZE
// (what queued meanwhile runs between them). Not started on PostgreSQL, whose own autovacuum does this (gate.ts).
import type { Database } from './db/database.ts';
import { FREEZE_MAX_AGE } from './db/pglite-freeze-databases.ts';
import { analyzeTable } from './db/sql/analyze-table.ts';
import { flushTableStatistics } from './db/sql/flush-table-statistics.ts';
import { oldestDatabaseXidAge } from './db/sql/oldest-database-xid-age.ts';
import { tablesDueForVacuum, type VacuumRules } from './db/sql/tables-due-for-vacuum.ts';
import { vacuumTable } from './db/sql/vacuum-table.ts';
import { reportInternalError } from './observability/internal-errors.ts';
import type { Logger } from './observability/logger.ts';

/** PostgreSQL's defaults for autovacuum (autovacuum_* settings of PostgreSQL 13-18), the same rules here. */
export const AUTOVACUUM_DEFAULTS: VacuumRules = {
  /** autovacuum_vacuum_threshold and _scale_factor: dead rows past 50 + 20 % of the table */
  vacuumThreshold: 50,
  vacuumScaleFactor: 0.2,
  /** autovacuum_vacuum_insert_threshold and _scale_factor: rows inserted since the last vacuum past 1000 + 20 % */
  insertThreshold: 1000,
  insertScaleFactor: 0.2,
  /** autovacuum_analyze_threshold and _scale_factor: rows changed since the last analyze past 50 + 10 % */
  analyzeThreshold: 50,
  analyzeScaleFactor: 0.1,
  /** autovacuum_freeze_max_age: a table whose oldest unfrozen transaction id is older is vacuumed to freeze it */
  freezeMaxAge: FREEZE_MAX_AGE,
};

export type VacuumAction = 'vacuum' | 'analyze';

export interface VacuumStep {
  table: string;
  action: VacuumAction;
  ms: number;
}

/** Told of each statement done (gate.ts hands it the /metrics histogram). */
export type OnVacuumStep = (done: VacuumStep) => void;

/**
 * Past this age of the cluster's oldest datfrozenxid a pass warns: PostgreSQL refuses new transaction ids at
 * ~2.1 billion, and only a restart of the gate freezes the databases it does not use (db/pglite-freeze-databases.ts).
 * A billion leaves as many transactions (weeks of the busiest gate) for the restart.
 */
export const XID_AGE_WARNING = 1_000_000_000;

export interface VacuumHooks {
  onVacuumStep?: OnVacuumStep;
  /** told after each pass how old the cluster's oldest datfrozenxid is (gate.ts: a /metrics gauge) */
  onOldestXidAge?: (age: number) => void;
}

export class PgliteVacuum {
  private timer?: NodeJS.Timeout;
  private running: Promise<VacuumStep[] | null> | null = null;
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly hooks: VacuumHooks = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Lets the statement running finish, and starts no other. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass (overlapping calls share it; tests call it): what it did, table by table, null when it failed. */
  tick(): Promise<VacuumStep[] | null> {
    if (this.running) return this.running;
    this.running = this.pass()
      .catch((error) => {
        this.log.warn({ err: error }, 'pglite vacuum pass failed; will retry');
        reportInternalError('sweeper', error); // background upkeep, counted with the sweeper's
        return null;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<VacuumStep[]> {
    if (this.db.kind !== 'pglite') return []; // PostgreSQL's autovacuum looks after its tables
    const started = performance.now();
    await flushTableStatistics();
    const due = await tablesDueForVacuum(AUTOVACUUM_DEFAULTS);
    const done: VacuumStep[] = [];
    for (const { table, vacuum, analyze } of due) {
      if (vacuum && !this.stopping) done.push(await this.timed(table, 'vacuum', () => vacuumTable(table)));
      if (analyze && !this.stopping) done.push(await this.timed(table, 'analyze', () => analyzeTable(table)));
    }
    await this.checkXidAge();
    const ms = Math.round(performance.now() - started);
    if (done.length) this.log.info({ tables: done, ms }, 'pglite vacuum pass');
    else this.log.debug({ ms }, 'pglite vacuum pass: no table due');
    return done;
  }

  /** The wraparound limit counts from the oldest database, which may be one this pass never vacuums. */
  private async checkXidAge(): Promise<void> {
    const age = await oldestDatabaseXidAge();
    this.hooks.onOldestXidAge?.(age);
    if (age > XID_AGE_WARNING) {
      this.log.warn(
        { oldestXidAge: age },
        'pglite: the oldest database of the data dir is past 1 billion transactions; restart the gate to freeze it before PostgreSQL stops accepting writes (at ~2.1 billion)',
      );
    }
  }

  private async timed(table: string, action: VacuumAction, step: () => Promise<void>): Promise<VacuumStep> {
    const started = performance.now();
    await step();
    const done = { table, action, ms: Math.round(performance.now() - started) };
    this.hooks.onVacuumStep?.(done);
    return done;
  }
}
