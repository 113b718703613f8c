// One read of the task event log on PostgreSQL, in one round trip (reyestr_read_events, migration
// 20261202080000): a checkpoint (the last seq handed out, a fresh xid drawn after it, the oldest xid still
// running in this database), the horizon it and the caller's waiting checkpoints confirm, and the events up
// to that horizon. docs/event-log.md has the argument. On the driver directly (Database.run): it runs after
// every write this gate makes.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';
import type { TaskEvent, TaskStatus } from '../../generated/prisma/client.ts';

export interface WaitingCheckpoint {
  lastSeq: bigint;
  bound: bigint;
}

export interface EventRead {
  lastSeq: bigint;
  /** null when nothing was handed out beyond `known` (no xid was spent) */
  bound: bigint | null;
  oldestRunning: bigint | null;
  /** every event with seq <= horizon is final */
  horizon: bigint;
  /** the events in (after, horizon], oldest first, at most `page` */
  page: EventPage;
}

/**
 * A page of events: how many, the last one's seq, and the events themselves, decoded (JSON, BigInt, Date) when asked
 * for. (A gate in which nothing listens fetches no page at all: EventHorizon.advance.)
 */
export interface EventPage {
  count: number;
  /** null when the page is empty */
  lastSeq: bigint | null;
  events(): TaskEvent[];
}

/** A page of events already decoded (PGlite's reads). */
export const eventPageOf = (events: TaskEvent[]): EventPage => ({
  count: events.length,
  lastSeq: events.at(-1)?.seq ?? null,
  events: () => events,
});

interface Row {
  last_seq: bigint;
  bound: string | null;
  oldest_running: string | null;
  horizon: bigint;
  /** the events as json text, undecoded */
  events: string | null;
  event_count: number | null;
  last_event_seq: string | null;
}

interface RawEvent {
  seq: string;
  taskId: string;
  type: string;
  status: TaskStatus;
  clientId: string | null;
  data: TaskEvent['data'];
  createdAt: string;
}

export async function readEvents(opts: {
  after: bigint;
  known: bigint;
  waiting: WaitingCheckpoint[];
  announce: string | null;
  page: number;
}): Promise<EventRead> {
  const seqs = opts.waiting.map((w) => w.lastSeq.toString());
  const bounds = opts.waiting.map((w) => w.bound.toString());
  const [row] = await run<Row>(Prisma.sql`
    SELECT last_seq, bound::text AS bound, oldest_running::text AS oldest_running, horizon, events::text AS events,
      json_array_length(events) AS event_count, events->-1->>'seq' AS last_event_seq
    FROM reyestr_read_events(${opts.after}::bigint, ${opts.known}::bigint, ${seqs}::bigint[], ${bounds}::text[]::xid8[],
      ${opts.announce}::text, ${opts.page}::int)`);
  return {
    lastSeq: BigInt(row.last_seq),
    bound: row.bound === null ? null : BigInt(row.bound),
    oldestRunning: row.oldest_running === null ? null : BigInt(row.oldest_running),
    horizon: BigInt(row.horizon),
    page: {
      count: row.event_count ?? 0,
      lastSeq: row.last_event_seq === null ? null : BigInt(row.last_event_seq),
      events: () =>
        row.events === null
          ? []
          : (JSON.parse(row.events) as RawEvent[]).map((e) => ({
              ...e,
              seq: BigInt(e.seq),
              createdAt: new Date(e.createdAt),
            })),
    },
  };
}
