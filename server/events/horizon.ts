// Reading the task event log up to its horizon: the seq up to which every event is final (committed, or rolled
// back and never to appear). Writers no longer commit in seq order, so "everything after the last seq I saw" is
// not enough: an event with a smaller seq may still be in an open transaction. Readers read up to the horizon
// and no further.
//
// PostgreSQL: each read takes a checkpoint (db/sql/read-events.ts: the last seq handed out and a fresh xid drawn
// after it), which is confirmed once no transaction of this database older than that xid is still running — at
// once when none is, else on a later read. Unconfirmed checkpoints wait in order and are confirmed by later
// reads (a few are kept; dropping one only delays, never skips). PGlite is one session whose transactions run
// one at a time, and a read outside a transaction waits for an open one, so every event a read can see is
// final: no bound is needed there. docs/event-log.md has the argument.
import type { Database } from '../db/database.ts';
import { type EventPage, eventPageOf, readEvents, type WaitingCheckpoint } from '../db/sql/read-events.ts';
import { eventsBetween, lastEventSeq } from './task-events.ts';

/** Unconfirmed checkpoints kept at most; the ones in the middle are dropped first (that only delays delivery). */
const MAX_WAITING = 16;

export class EventHorizon {
  private readonly waitingCheckpoints: WaitingCheckpoint[] = [];

  /** `final`: every event with seq <= it is final; null: every visible event is (PGlite) */
  private constructor(private final: bigint | null) {}

  /** A horizon for `db`, and the last seq handed out when it was opened (where a live reader starts). */
  static async open(db: Database): Promise<{ horizon: EventHorizon; startSeq: bigint }> {
    if (db.kind === 'pglite') return { horizon: new EventHorizon(null), startSeq: await lastEventSeq() };
    const horizon = new EventHorizon(-1n);
    const first = await horizon.readAfter(0n, null, 0);
    return { horizon, startSeq: first.lastSeq };
  }

  /** Every event with seq <= upTo is final; null: every visible event is (PGlite). */
  get upTo(): bigint | null {
    return this.final;
  }

  /** Are checkpoints waiting for transactions that were running when they were taken? */
  get waiting(): boolean {
    return this.waitingCheckpoints.length > 0;
  }

  /**
   * The final events after `after`, oldest first, at most `page`, moving the horizon on as far as it can.
   * `announce`: NOTIFY the other gates with this payload in the same round trip.
   */
  async read(after: bigint, announce: string | null, page: number): Promise<EventPage> {
    if (this.final === null) return eventPageOf(await eventsBetween(after, null, page));
    return (await this.readAfter(after, announce, page)).page;
  }

  /**
   * Moves the horizon as read() does but fetches no events (for a gate in which nothing listens); returns the seq up
   * to which every event is now final. `announce` as in read().
   */
  async advance(after: bigint, announce: string | null): Promise<bigint> {
    if (this.final === null) return lastEventSeq(); // PGlite: every visible event is final
    await this.readAfter(after, announce, 0);
    return this.final;
  }

  private async readAfter(after: bigint, announce: string | null, page: number) {
    const read = await readEvents({ after, known: this.final!, waiting: this.waitingCheckpoints, announce, page });
    const waiting = this.waitingCheckpoints;
    if (read.bound !== null) waiting.push({ lastSeq: read.lastSeq, bound: read.bound });
    this.final = read.horizon; // never below `known`: the function starts from it
    const oldest = read.oldestRunning;
    const stillWaiting = waiting.filter((w) => w.lastSeq > this.final! && (oldest === null || w.bound > oldest));
    waiting.splice(0, waiting.length, ...stillWaiting);
    if (waiting.length > MAX_WAITING) waiting.splice(1, waiting.length - MAX_WAITING);
    return read;
  }
}
