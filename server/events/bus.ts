// The gate's live events. Writers never publish directly: they append to the task event log (and NOTIFY,
// from a trigger), and this pump — one per gate — LISTENs, reads the new rows in seq order and hands them to
// local subscribers. So every gate on a database sees every change, in the same order, whoever made it, and
// a NOTIFY lost during a reconnect costs nothing: the next read starts from the last seq seen.
import { EventEmitter, on } from 'node:events';
import type { Database } from '../db/database.ts';
import { API_KEYS_CHANNEL, CLIENTS_CHANNEL, TASK_EVENTS_CHANNEL } from './notify.ts';
import { EVENT_PAGE, eventsAfter, lastEventSeq, MAKES_TASK_AVAILABLE, type TaskEvent } from './task-events.ts';

interface BusEvents {
  taskEvent: [TaskEvent];
  clientChanged: [string];
  taskAvailable: [TaskEvent];
  /** an API key was revoked (on any gate) */
  apiKeyRevoked: [string];
  /** the LISTEN connection is back after a drop: NOTIFYs sent meanwhile were lost */
  reconnected: [];
}

/** Reads the log even without a NOTIFY now and then, as a safety net. */
const POLL_MS = 2_000;

export class EventBus {
  private readonly emitter = new EventEmitter<BusEvents>();
  private lastSeq = 0n;
  private draining: Promise<void> | null = null;
  private again = false;
  private timer?: NodeJS.Timeout;
  private unlisten: Array<() => Promise<void>> = [];
  /** Every open stream, so stop() can end them. */
  private readonly streams = new Set<AbortController>();

  constructor(private readonly db: Database) {
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    this.lastSeq = await lastEventSeq();
    this.unlisten.push(await this.db.listen(TASK_EVENTS_CHANNEL, () => void this.drain()));
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
    this.timer = setInterval(() => void this.drain(), POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.unlisten.map((u) => u().catch(() => {})));
    this.unlisten = [];
    await this.draining;
    for (const stream of [...this.streams]) stream.abort(); // ends every subscriber's stream
    this.emitter.removeAllListeners();
  }

  /** The highest seq this gate has delivered. */
  get deliveredSeq(): bigint {
    return this.lastSeq;
  }

  /** Reads every event after the last one delivered; concurrent calls fold into one extra pass. */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const events = await eventsAfter(this.lastSeq);
            for (const event of events) {
              this.lastSeq = event.seq;
              this.emitter.emit('taskEvent', event);
              if (MAKES_TASK_AVAILABLE.has(event.type) && event.status === 'PENDING')
                this.emitter.emit('taskAvailable', event);
            }
            if (events.length < EVENT_PAGE) break;
          }
        } while (this.again);
      } catch {
        // database unreachable for a moment: the next NOTIFY or poll retries from the same seq
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
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
        for (;;) {
          const replay = await eventsAfter(seen);
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
