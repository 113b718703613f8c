// The sweeper: requeues expired leases, marks silent workers inactive, keeps the event log to its
// retention and removes the object store's orphaned uploads (corpus/orphans.ts). Several gates may share a
// database; an advisory lock makes exactly one of them the sweeper, and when that gate dies its lock goes
// with its connection, so another gate takes over at its next tick.
import type { Database } from './db/database.ts';
import { LeaderLoop } from './leader-loop.ts';
import type { Logger } from './observability/logger.ts';
import { sweepOrphanUploads } from './corpus/orphans.ts';
import { corpusLimits, documentStore } from './corpus/store/index.ts';
import { pruneActivity } from './db/sql/prune-activity.ts';
import { pruneEvents } from './db/sql/prune-events.ts';
import { markSilentClientsInactive } from './services/clients.ts';
import { requeueExpiredLeases } from './services/leases.ts';
import { policy } from './services/policy.ts';

const SWEEPER_LOCK_KEY = 7_250_003;
/** The event log is pruned at most this often (it is a slow, unhurried job). */
const PRUNE_EVERY_MS = 10 * 60_000;

export interface SweepResult {
  requeued: number;
  dead: number;
  inactiveClients: number;
  prunedEvents: number;
  orphanedUploads: number;
}

export class Sweeper extends LeaderLoop<SweepResult> {
  private lastPrune = 0;
  private lastOrphanSweep = 0;

  constructor(db: Database, intervalMs: number, log: Logger) {
    super(db, intervalMs, log, 'sweeper', SWEEPER_LOCK_KEY);
  }

  /**
   * Deletes finished tasks' events past the retention (EVENT_RETENTION_DAYS; 0 keeps everything), and the activity
   * rollups' old rows (minutes after two days, hours after the retention but never under the week chart's 8 days).
   */
  async pruneEventLog(): Promise<number> {
    this.lastPrune = Date.now();
    await pruneActivity(policy.eventRetentionDays <= 0 ? null : Math.max(8, policy.eventRetentionDays));
    if (policy.eventRetentionDays <= 0) return 0;
    let deleted = 0;
    for (
      let batch = await pruneEvents(policy.eventRetentionDays);
      batch > 0;
      batch = await pruneEvents(policy.eventRetentionDays)
    ) {
      deleted += batch;
    }
    return deleted;
  }

  /**
   * Removes uploads to the object store that were not recorded within DOCUMENT_ORPHAN_GRACE_SECONDS (their
   * objects, then their records). Nothing to do for the database store. Runs at most once a minute (or once
   * per grace period, when that is shorter).
   */
  async sweepOrphans(): Promise<number> {
    this.lastOrphanSweep = Date.now();
    if (documentStore.kind === 'DATABASE') return 0;
    return sweepOrphanUploads(documentStore, corpusLimits.orphanGraceSeconds);
  }

  /** One sweep (LeaderLoop runs it only while this gate holds the sweeper's lock). */
  protected async work(): Promise<SweepResult> {
    const moved = await requeueExpiredLeases();
    const inactive = await markSilentClientsInactive();
    const prunedEvents = Date.now() - this.lastPrune >= PRUNE_EVERY_MS ? await this.pruneEventLog() : 0;
    const orphanEvery = Math.min(60_000, corpusLimits.orphanGraceSeconds * 1000);
    const orphanedUploads = Date.now() - this.lastOrphanSweep >= orphanEvery ? await this.sweepOrphans() : 0;
    const result = {
      requeued: moved.filter((t) => t.status === 'PENDING').length,
      dead: moved.filter((t) => t.status === 'DEAD').length,
      inactiveClients: inactive.length,
      prunedEvents,
      orphanedUploads,
    };
    if (moved.length || inactive.length || prunedEvents || orphanedUploads) this.log.info(result, 'sweep');
    return result;
  }
}
