// The gate's live events. Writers never publish directly: they append to the task event log, and this pump —
// one per gate — reads the new rows in seq order, up to the log's horizon (./horizon.ts: no event of a
// transaction still open is ever skipped), and hands them to local subscribers. It reads when this process has
// written events (db/event-writes.ts; it then NOTIFYs the other gates), when another gate NOTIFYs, while a
// checkpoint waits for open transactions (backing off), and every 2 s as a safety net. So every gate on a
// database sees every change, in the same order, whoever made it, and a NOTIFY lost during a reconnect costs
// nothing: the next read starts from the last seq delivered. docs/event-log.md has the argument.
import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import type { Database } from '../db/database.ts';
import { onTaskEventsWritten } from '../db/event-writes.ts';
import { EventHorizon } from './horizon.ts';
import { API_KEYS_CHANNEL, CLIENTS_CHANNEL, FOLLOW_RUNS_CHANNEL, TASK_EVENTS_CHANNEL } from './notify.ts';
import { EVENT_PAGE, eventsBetween, MAKES_TASK_AVAILABLE, type TaskEvent } from './task-events.ts';

interface BusEvents {
  taskEvent: [TaskEvent];
  clientChanged: [string];
  /** a follow's run, `<followId>:<runId>`: made, or its round settled */
  followRun: [string];
  taskAvailable: [TaskEvent];
  /** an API key was revoked (on any gate) */
  apiKeyRevoked: [string];
  /** the LISTEN connection is back after a drop: NOTIFYs sent meanwhile were lost */
  reconnected: [];
}

/** Reads the log even without a NOTIFY now and then, as a safety net. */
const POLL_MS = 2_000;
/**
 * While a checkpoint waits for open transactions: look again after this, doubling up to the cap. (On a busy gate a
 * writer's transaction is nearly always open, so this is also how often a busy pump reads: see READ_SPACING_MS.)
 */
const RETRY_FIRST_MS = 5;
const RETRY_CAP_MS = 500;
/**
 * After this process's writes the pump reads no sooner than this many ms after its last read, so a busy gate reads
 * many writes' events at once instead of once per write (subscribers see an event at most this much later).
 * PGlite is one session: a read of the log waits for the writers and holds them up (counted from the read's start).
 * PostgreSQL: a read is a function call that spends an xid and writes a commit record, and with 8 workers claiming
 * and completing, the pump read about once per claim+complete, back to back (counted from the read's end).
 */
const READ_SPACING_MS = { pglite: 10, postgres: 5 } as const;
/**
 * The same while no one in this process listens for task events (no subscription: no dashboard, no idle worker
 * waiting for work): a read then only tells the other gates, by its NOTIFY, and they poll every POLL_MS anyway.
 * Spacing those reads wider saved a gate ~10 % of its CPU and PostgreSQL ~10–30 % per claim+complete cycle with 8
 * workers (bench:gate-ab, docs/benchmarks.md); a subscriber on another gate sees this gate's events up to this much later.
 */
const UNHEARD_READ_SPACING_MS = 25; // wider than either READ_SPACING_MS

export class EventBus {
  private readonly emitter = new EventEmitter<BusEvents>();
  private lastSeq = 0n;
  private horizon: EventHorizon | undefined;
  /** where this gate's live stream began: a replay may stop at the horizon only once the horizon is past it */
  private startSeq = 0n;
  private readonly caughtUp: Promise<void>;
  private markCaughtUp!: () => void;
  /** payload of this gate's NOTIFYs, so it does not read again on hearing its own */
  private readonly id = randomUUID();
  /** this process wrote events since the last read: the next read NOTIFYs the other gates */
  private announce = false;
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private retryMs = RETRY_FIRST_MS;
  private spacingTimer?: NodeJS.Timeout;
  private lastReadAt = 0;
  private lastReadEndAt = 0;
  /** own writes came during a read (PostgreSQL): read again, spaced from that read's end */
  private readAfterDrain = false;
  private unlisten: Array<() => Promise<void>> = [];
  /** Every open stream, so stop() can end them. */
  private readonly streams = new Set<AbortController>();

  constructor(private readonly db: Database) {
    this.emitter.setMaxListeners(0);
    this.caughtUp = new Promise((resolve) => (this.markCaughtUp = resolve));
  }

  async start(): Promise<void> {
    const { horizon, startSeq } = await EventHorizon.open(this.db);
    this.horizon = horizon;
    this.lastSeq = this.startSeq = startSeq;
    this.checkCaughtUp();
    const stopWrites = onTaskEventsWritten(() => {
      this.announce = this.db.kind === 'postgres'; // PGlite: this process is the only one
      this.drainSpaced();
    });
    this.unlisten.push(async () => void stopWrites());
    this.unlisten.push(
      await this.db.listen(TASK_EVENTS_CHANNEL, (payload) => {
        if (payload !== this.id) void this.drain();
      }),
    );
    this.unlisten.push(
      await this.db.listen(CLIENTS_CHANNEL, (clientId) => {
        if (clientId) this.emitter.emit('clientChanged', clientId);
        else void this.drain(); // reconnected: catch up on task events too
      }),
    );
    this.unlisten.push(
      await this.db.listen(API_KEYS_CHANNEL, (keyId) => {
        if (keyId) this.emitter.emit('apiKeyRevoked', keyId);
        else this.emitter.emit('reconnected');
      }),
    );
    this.unlisten.push(
      await this.db.listen(FOLLOW_RUNS_CHANNEL, (ref) => {
        if (ref) this.emitter.emit('followRun', ref);
      }),
    );
    this.timer = setInterval(() => void this.drain(), POLL_MS);
    this.timer.unref();
    if (this.horizon.waiting) void this.drain(); // writers were mid-transaction as this gate started
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.spacingTimer);
    await Promise.all(this.unlisten.map((u) => u().catch(() => {})));
    this.unlisten = [];
    await this.draining;
    for (const stream of [...this.streams]) stream.abort(); // ends every subscriber's stream
    this.emitter.removeAllListeners();
  }

  /** The highest seq this gate has delivered (or, with no one in it listening, passed: final, and heard by no one). */
  get deliveredSeq(): bigint {
    return this.lastSeq;
  }

  /** Every event with seq <= this is final (null: every visible event is, as on PGlite); reads stop here. */
  get horizonSeq(): bigint | null {
    return this.horizon ? this.horizon.upTo : -1n;
  }

  /**
   * Reads every final event after the last one delivered; concurrent calls fold into one extra pass. While a
   * checkpoint waits for open transactions it looks again soon (backing off), not only at the next poll.
   */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    clearTimeout(this.retryTimer);
    const before = this.horizonSeq;
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          this.lastReadAt = performance.now();
          const announce = this.announce ? this.id : null;
          this.announce = false;
          for (let first = true; ; first = false) {
            // Nobody in this process listens: move the horizon and tell the other gates without fetching the
            // events, whose json was about a fifth of PostgreSQL's work per batched task. A listener that came
            // during the read makes the loop read the same range again, with the events.
            if (!this.heard) {
              const final = await this.horizon!.advance(this.lastSeq, first ? announce : null);
              if (this.heard) continue;
              if (final > this.lastSeq) this.lastSeq = final; // every event up to it is final and had no one to hear it
              break;
            }
            const page = await this.horizon!.read(this.lastSeq, first ? announce : null, EVENT_PAGE);
            for (const event of page.events()) {
              this.lastSeq = event.seq;
              this.emitter.emit('taskEvent', event);
              if (MAKES_TASK_AVAILABLE.has(event.type) && event.status === 'PENDING')
                this.emitter.emit('taskAvailable', event);
            }
            if (page.lastSeq !== null) this.lastSeq = page.lastSeq;
            if (page.count < EVENT_PAGE) break;
          }
          this.checkCaughtUp();
        } while (this.again);
      } catch {
        // database unreachable for a moment: the next NOTIFY, retry or poll reads from the same seq
      } finally {
        this.draining = null;
        this.lastReadEndAt = performance.now();
        if (this.readAfterDrain) {
          this.readAfterDrain = false;
          this.drainSpaced();
        }
        if (this.horizonSeq !== before) this.retryMs = RETRY_FIRST_MS; // progress: the next wait starts short
        this.scheduleRetry();
      }
    })();
    return this.draining;
  }

  /** Does anyone in this process listen for task events (a subscription, an idle worker waiting for work)? */
  private get heard(): boolean {
    return this.emitter.listenerCount('taskEvent') + this.emitter.listenerCount('taskAvailable') > 0;
  }

  /** drain(), but no sooner than READ_SPACING_MS after the last read (one timer at a time). */
  private drainSpaced() {
    if (this.spacingTimer || this.stopped) return;
    const postgres = this.db.kind === 'postgres';
    if (postgres && this.draining) {
      this.readAfterDrain = true;
      return;
    }
    const spacing = this.heard ? READ_SPACING_MS[this.db.kind] : UNHEARD_READ_SPACING_MS;
    const wait = (postgres ? this.lastReadEndAt : this.lastReadAt) + spacing - performance.now();
    if (wait <= 0) {
      void this.drain();
      return;
    }
    this.spacingTimer = setTimeout(() => {
      this.spacingTimer = undefined;
      void this.drain();
    }, wait);
    this.spacingTimer.unref();
  }

  private scheduleRetry() {
    if (this.stopped || !(this.horizon?.waiting || this.announce)) {
      this.retryMs = RETRY_FIRST_MS;
      return;
    }
    if (this.spacingTimer) return; // a read is due at least as soon
    this.retryTimer = setTimeout(() => void this.drain(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_CAP_MS);
  }

  private checkCaughtUp() {
    const upTo = this.horizon?.upTo;
    if (upTo === null || (upTo !== undefined && upTo >= this.startSeq)) this.markCaughtUp();
  }

  /**
   * A live stream of one kind of event; listening starts at once (events are buffered until read). Its return()
   * takes effect at once, and so does aborting `signal`: a pending next() ends, the listener is gone.
   */
  subscribe<K extends keyof BusEvents>(name: K, signal?: AbortSignal): AsyncIterableIterator<BusEvents[K][0]> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    if (signal?.aborted) abort();
    this.streams.add(controller);
    // Node's on() iterator, not a generator around it: a generator's return() would wait for the next event.
    const iterator = on(this.emitter as EventEmitter, name, { signal: controller.signal });
    const end = () => {
      this.streams.delete(controller);
      signal?.removeEventListener('abort', abort);
      controller.abort();
    };
    const done = { done: true, value: undefined } as const;
    return {
      async next() {
        try {
          const result = await iterator.next();
          if (!result.done) return { done: false, value: result.value[0] as BusEvents[K][0] };
        } catch (error) {
          if ((error as Error).name !== 'AbortError') throw error; // ended: by return(), the signal or stop()
        }
        end();
        return done;
      },
      async return() {
        end();
        await iterator.return?.();
        return done;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Calls `listener` for every event of one kind (for the gate's own machinery); returns the unsubscribe. */
  on<K extends keyof BusEvents>(name: K, listener: (...args: BusEvents[K]) => void): () => void {
    const handler = listener as (...args: unknown[]) => void;
    (this.emitter as EventEmitter).on(name, handler);
    return () => void (this.emitter as EventEmitter).off(name, handler);
  }

  /** Streams open now (each holds one listener): what subscriptions still hold, for tests and leak checks. */
  get openStreams(): number {
    return this.streams.size;
  }

  /**
   * Task events after `afterSeq`: first replayed from the log, then live, with no gap and no repeat between
   * the two (live events are buffered while the replay runs and those already replayed are skipped).
   */
  async *taskEvents(afterSeq: bigint | null, signal?: AbortSignal): AsyncGenerator<TaskEvent> {
    const live = this.subscribe('taskEvent', signal);
    let seen = afterSeq ?? this.lastSeq;
    try {
      if (afterSeq !== null) {
        // Up to the horizon (every event below it is final; later ones come live, after it), but not before
        // the horizon has reached where the live stream began, or events in between would be in neither.
        if (!(await settledOrAborted(this.caughtUp, signal))) return;
        const upTo = this.horizonSeq;
        while (upTo === null || seen < upTo) {
          const replay = await eventsBetween(seen, upTo, EVENT_PAGE);
          for (const event of replay) {
            seen = event.seq;
            yield event;
          }
          if (replay.length < EVENT_PAGE) break;
        }
      }
      for await (const event of live) {
        if (event.seq <= seen) continue;
        seen = event.seq;
        yield event;
      }
    } finally {
      await live.return?.();
    }
  }
}

/** Waits for `promise`; false when `signal` aborts first. */
function settledOrAborted(promise: Promise<void>, signal?: AbortSignal): Promise<boolean> {
  if (!signal) return promise.then(() => true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const abort = () => resolve(false);
    signal.addEventListener('abort', abort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', abort);
      resolve(true);
    });
  });
}
