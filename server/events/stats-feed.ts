// statsUpdated for every subscriber from one computation. Subscribers that ask for the same window share a
// channel; a channel computes when task events arrived (or a newcomer needs a first value that is not fresh),
// at most once per interval and never twice at once, and pushes the result to its subscribers. So 2,000
// subscribers cost what one does; each gets the latest value (a slow one skips the ones it missed).
import { performance } from 'node:perf_hooks';
import { Repeater, SlidingBuffer } from 'graphql-yoga';
import { getStats, statsWindow, type Stats } from '../services/stats.ts';
import type { TaskEvent } from './task-events.ts';
import type { EventBus } from './bus.ts';

type Subscriber = (stats: Stats) => void;

export class StatsFeed {
  private readonly channels = new Map<number, StatsChannel>();
  /** getStats calls made (for tests and leak checks) */
  computations = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly intervalMs = 1000,
  ) {}

  /** Stats now, then after task events, at most once per interval; return() lets go at once. */
  subscribe(minutes: number): AsyncIterableIterator<Stats> {
    const window = statsWindow(minutes);
    return new Repeater<Stats>(async (push, stop) => {
      let channel = this.channels.get(window);
      if (!channel) {
        channel = new StatsChannel(window, this.bus.subscribe('taskEvent'), this.intervalMs, () => this.computations++);
        this.channels.set(window, channel);
      }
      const subscriber: Subscriber = (stats) => void push(stats);
      channel.add(subscriber);
      void channel.ended.then(() => stop()); // the gate is stopping
      await stop;
      if (channel.remove(subscriber) === 0) this.channels.delete(window);
    }, new SlidingBuffer(1));
  }

  /** Channels open now (each holds one bus stream and at most one timer). */
  get openChannels(): number {
    return this.channels.size;
  }
}

class StatsChannel {
  private readonly subscribers = new Set<Subscriber>();
  /** subscribers still waiting for their first value */
  private readonly waiting = new Set<Subscriber>();
  private latest: Stats | null = null;
  private lastStarted = Number.NEGATIVE_INFINITY;
  private dirty = false;
  private computing = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  /** resolves when the bus stream ends (the gate stops) or the channel closes */
  readonly ended: Promise<void>;

  constructor(
    private readonly window: number,
    private readonly events: AsyncIterableIterator<TaskEvent>,
    private readonly intervalMs: number,
    private readonly counted: () => void,
  ) {
    this.ended = (async () => {
      for await (const _ of events) {
        this.dirty = true;
        this.schedule();
      }
    })();
  }

  add(subscriber: Subscriber) {
    this.subscribers.add(subscriber);
    const fresh = performance.now() - this.lastStarted < this.intervalMs;
    if (this.latest && fresh && !this.dirty && !this.computing) return subscriber(this.latest);
    this.waiting.add(subscriber);
    this.schedule();
  }

  /** Returns how many subscribers are left; the last one out closes the channel. */
  remove(subscriber: Subscriber): number {
    this.subscribers.delete(subscriber);
    this.waiting.delete(subscriber);
    if (this.subscribers.size === 0 && !this.closed) {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.events.return?.();
    }
    return this.subscribers.size;
  }

  private schedule() {
    if (this.closed || this.computing || this.timer || !(this.dirty || this.waiting.size)) return;
    const delay = Math.max(0, this.lastStarted + this.intervalMs - performance.now());
    this.timer = setTimeout(() => void this.compute(), delay);
  }

  private async compute() {
    this.timer = null;
    this.computing = true;
    const changed = this.dirty;
    this.dirty = false;
    this.lastStarted = performance.now();
    try {
      this.counted();
      const stats = await getStats(this.window);
      this.latest = stats;
      for (const subscriber of changed ? this.subscribers : this.waiting) subscriber(stats);
      this.waiting.clear();
    } catch {
      // database away for a moment: try again after the interval (subscribers keep their last value)
      if (changed) this.dirty = true;
    } finally {
      this.computing = false;
      this.schedule();
    }
  }
}
