// The task event log without a global commit lock: writers commit in any order, and readers (the event pump,
// subscribers replaying with afterSeq, the taskEvents query) stop below any event whose transaction is still
// open, so none is ever skipped or repeated. The writers here are raw PostgreSQL connections that hold
// transactions open on purpose; the gate is read through its own pump and GraphQL. docs/event-log.md.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL } from '../support/databases.ts';
import { collect, startTestGate, type TestGate } from '../support/gate.ts';
import { eventually } from '../worker/support.ts';
import * as op from './operations.ts';

const EVENTS_AFTER = `query($after: SafeInt) { taskEvents(afterSeq: $after, limit: 1000) { seq type } }`;
const SUBSCRIBE = `subscription($after: SafeInt, $types: [String!]) {
  taskEvents(afterSeq: $after, filter: { types: $types }) { seq type } }`;

interface Seen {
  seq: number;
  type: string;
}

/** A small seeded generator: the interleavings are varied but the same on every run. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/**
 * Runs `write` (which writes events and returns their seqs) with the pump watched: the first pump read for no
 * listener that moves past the events the gate had delivered before (it fetches no events) starts a subscription
 * (`subscribe`, which returns once the gate holds it) before that read returns. The pump must then still deliver
 * what that read passed. Returns the subscription and the seqs.
 */
async function subscribeDuringUnheardRead<S>(
  t: TestGate,
  write: () => Promise<number[]>,
  subscribe: () => Promise<S>,
): Promise<{ subscription: S; seqs: number[] }> {
  type Horizon = { advance: (after: bigint, announce: string | null) => Promise<bigint> };
  const horizon = (t.gate.bus as unknown as { horizon: Horizon }).horizon;
  const advance = horizon.advance;
  const delivered = t.gate.bus.deliveredSeq;
  let subscription: S | undefined;
  horizon.advance = async function (this: Horizon, ...args) {
    const final = await advance.apply(this, args);
    if (subscription === undefined && final > delivered) subscription = await subscribe();
    return final;
  };
  try {
    const seqs = await write();
    await eventually(
      async () => (await t.gate.bus.drain(), subscription !== undefined),
      30_000,
      'a pump read for no listener past the events',
    );
    return { subscription: subscription!, seqs };
  } finally {
    horizon.advance = advance;
  }
}

describe('event log: writers commit out of seq order (PostgreSQL)', () => {
  let t: TestGate;
  let taskId: string;
  const writers: pg.Client[] = [];

  const connect = async (url = (t.db.config as { url: string }).url) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    writers.push(client);
    return client;
  };
  const insertEvent = async (writer: pg.Client, type: string) =>
    Number(
      (
        await writer.query(`INSERT INTO task_events (task_id, type, status) VALUES ($1, $2, 'PENDING') RETURNING seq`, [
          taskId,
          type,
        ])
      ).rows[0].seq,
    );
  const logAfter = async (after: number): Promise<Seen[]> => (await t.ok(EVENTS_AFTER, { after })).taskEvents;
  /** The highest seq in the log now, committed or not (where the next test's events start after). */
  const lastSeq = async () => Number((await writers[0].query('SELECT max(seq) AS seq FROM task_events')).rows[0].seq);
  const listening = (streams: number) =>
    eventually(() => t.gate.bus.openStreams === streams, 30_000, `${streams} live subscription stream(s)`);

  beforeAll(async () => {
    t = await startTestGate('postgres');
    taskId = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id;
    await connect();
  });
  afterAll(async () => {
    await Promise.all(writers.map((w) => w.end().catch(() => {})));
    await t?.stop();
  });

  it('holds every reader below an open transaction, then delivers its event and the later one, in seq order, once', async () => {
    const [a, b] = [await connect(), await connect()];
    const before = await lastSeq();
    const live = collect(t.ws(), SUBSCRIBE, { types: ['HELD', 'PASSED'] }, 2);
    await listening(1);

    await a.query('BEGIN');
    const held = await insertEvent(a, 'HELD'); // drawn first, still open
    const passed = await insertEvent(b, 'PASSED'); // drawn second, committed first
    expect(passed).toBeGreaterThan(held);

    await t.gate.bus.drain(); // the pump reads while HELD is open: it must not move past it
    expect(Number(t.gate.bus.deliveredSeq)).toBeLessThan(held);
    expect(t.gate.bus.horizonSeq! < BigInt(held)).toBe(true);
    expect((await logAfter(before)).map((e) => e.type)).not.toContain('PASSED');
    // a subscriber resuming from before both, while HELD is open
    const resumed = collect(t.ws(), SUBSCRIBE, { after: before, types: ['HELD', 'PASSED'] }, 2);
    await listening(2);

    await a.query('COMMIT');
    await t.gate.bus.drain();
    const expected = [
      { seq: held, type: 'HELD' },
      { seq: passed, type: 'PASSED' },
    ];
    expect((await live.done).map((e) => e.taskEvents)).toEqual(expected);
    expect((await resumed.done).map((e) => e.taskEvents)).toEqual(expected);
    expect((await logAfter(before)).filter((e) => e.seq <= passed)).toEqual(expected);
  });

  it('never misses or repeats an event whatever order many writers commit or roll back in', async () => {
    const pool = await Promise.all(Array.from({ length: 6 }, () => connect()));
    const next = random(20261202);
    const before = await lastSeq();
    const committed: Seen[] = [];
    const polled: Seen[] = [];
    const poll = async () => {
      const from = polled.at(-1)?.seq ?? before;
      polled.push(...(await logAfter(from)).filter((e) => e.type.startsWith('W')));
    };

    for (let round = 0; round < 5; round++) {
      const open: Array<{ writer: pg.Client; event: Seen }> = [];
      for (const [i, writer] of pool.entries()) {
        await writer.query('BEGIN');
        const type = `W${round}-${i}`;
        open.push({ writer, event: { seq: await insertEvent(writer, type), type } });
      }
      // finish them in a shuffled order (not seq order), one in four rolled back; read after each one
      open.sort(() => next() - 0.5);
      for (const { writer, event } of open) {
        if (next() < 0.25) await writer.query('ROLLBACK');
        else {
          await writer.query('COMMIT');
          committed.push(event);
        }
        await t.gate.bus.drain();
        await poll();
      }
    }
    committed.sort((x, y) => x.seq - y.seq);

    // A read confirms the horizon only if no older transaction of this database is running then (the gate's own
    // activity roll-up's, once a second, longer on a busy box): read until it covers the last committed event.
    const lastCommitted = BigInt(committed.at(-1)!.seq);
    await eventually(
      async () => (await t.gate.bus.drain(), t.gate.bus.horizonSeq! >= lastCommitted),
      30_000,
      'the horizon past the last committed event',
    );
    await poll();
    expect(polled).toEqual(committed); // each once, in seq order: no gap where an event committed late
    const resumed = collect(
      t.ws(),
      SUBSCRIBE,
      { after: before, types: committed.map((e) => e.type) },
      committed.length,
    );
    expect((await resumed.done).map((e) => e.taskEvents)).toEqual(committed);
  });

  it('gives a subscriber that came during a read made for no listener the events that read passed', async () => {
    await eventually(() => t.gate.bus.openStreams === 0, 30_000, 'no live subscription stream');
    const types = ['UNHEARD-1', 'UNHEARD-2', 'UNHEARD-3'];
    const writer = writers[0];
    const { subscription: live, seqs: passed } = await subscribeDuringUnheardRead(
      t,
      async () => [await insertEvent(writer, types[0]), await insertEvent(writer, types[1])],
      async () => {
        const stream = collect<{ taskEvents: Seen }>(t.ws(), SUBSCRIBE, { types }, 3);
        await listening(1);
        return stream;
      },
    );
    // three more, so that a subscriber that missed the first two fails at once on what it got instead of waiting
    const later = [];
    for (let i = 0; i < 3; i++) later.push(await insertEvent(writer, types[2]));
    await t.gate.bus.drain();
    expect((await live.done).slice(0, 3).map((e) => e.taskEvents)).toEqual([
      { seq: passed[0], type: types[0] },
      { seq: passed[1], type: types[1] },
      { seq: later[0], type: types[2] },
    ]);
  });

  it("is not held back by another database's long transaction", async () => {
    const elsewhere = await connect(PG_ADMIN_URL);
    await elsewhere.query('BEGIN');
    await elsewhere.query('SELECT pg_current_xact_id()'); // an xid older than anything the gate writes next
    const live = collect(t.ws(), SUBSCRIBE, { types: ['CREATED'] }, 1);
    await listening(1);
    const id = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id;
    const [{ taskEvents }] = await live.done;
    expect(taskEvents.type).toBe('CREATED');
    expect((await logAfter(taskEvents.seq - 1)).map((e) => e.seq)).toEqual([taskEvents.seq]);
    await elsewhere.query('ROLLBACK');
    expect(id).toBeTruthy();
  });
});

describe('event log on PGlite (one session)', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('pglite');
  });
  afterAll(() => t?.stop());

  it('delivers live and replays after a seq, in order, once', async () => {
    const create = async () => (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id;
    const first = await create();
    // the query ends at the log's horizon: the event may show up a call or two after createTask returned
    const seq = await eventually(
      async () => ((await t.ok(EVENTS_AFTER, { after: 0 })).taskEvents as Seen[])[0]?.seq,
      30_000,
      'the first CREATED in the log',
    );
    // A live subscription starts at what the gate has delivered, and the pump reads a few ms after a write: wait
    // until it has passed the first CREATED, or the subscription below may (rightly) get it too.
    await eventually(() => t.gate.bus.deliveredSeq >= BigInt(seq), 30_000, 'the first CREATED delivered');
    const live = collect(t.ws(), SUBSCRIBE, { types: ['CREATED', 'PRIORITY_CHANGED'] }, 2);
    await eventually(() => t.gate.bus.openStreams === 1, 30_000, 'the live subscription');
    const second = await create();
    await t.ok(`mutation($id: ID!) { setTaskPriority(input: { id: $id, priority: 5 }) { id } }`, { id: first });
    expect((await live.done).map((e) => e.taskEvents.type)).toEqual(['CREATED', 'PRIORITY_CHANGED']);
    const resumed = collect(t.ws(), SUBSCRIBE, { after: seq, types: ['CREATED', 'PRIORITY_CHANGED'] }, 2);
    const replayed = (await resumed.done).map((e) => e.taskEvents);
    expect(replayed.map((e) => e.type)).toEqual(['CREATED', 'PRIORITY_CHANGED']);
    expect(replayed[0].seq).toBeGreaterThan(seq);
    expect(second).toBeTruthy();
  });
});

describe('event log on PGlite: a read for no listener', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('pglite');
  });
  afterAll(() => t?.stop());

  it('gives a subscriber that came during it the events it passed', async () => {
    const create = async () => (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id;
    const { subscription: live, seqs } = await subscribeDuringUnheardRead(
      t,
      async () => {
        await create();
        await create();
        return eventually(
          async () => {
            const found = ((await t.ok(EVENTS_AFTER, { after: 0 })).taskEvents as Seen[]).map((e) => e.seq);
            return found.length === 2 && found;
          },
          30_000,
          'both CREATED in the log',
        );
      },
      async () => {
        const stream = collect<{ taskEvents: Seen }>(t.ws(), SUBSCRIBE, { types: ['CREATED'] }, 3);
        await eventually(() => t.gate.bus.openStreams === 1, 30_000, 'the live subscription');
        return stream;
      },
    );
    for (let i = 0; i < 3; i++) await create();
    const got = (await live.done).slice(0, 3).map((e) => e.taskEvents.seq);
    expect(got.slice(0, 2)).toEqual(seqs);
    expect(got[2]).toBeGreaterThan(seqs[1]);
  });
});

describe('every writer of the event log wakes the readers', () => {
  it('each module that inserts task events calls taskEventsWritten()', () => {
    const writers: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'generated') walk(path);
        } else if (entry.name.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          if (/INSERT INTO task_events|taskEvent\.create/i.test(text)) {
            writers.push(path);
            expect(text, `${path} writes task events without calling taskEventsWritten()`).toMatch(
              /taskEventsWritten\(\)/,
            );
          }
        }
      }
    };
    walk('server');
    expect(writers.length).toBeGreaterThanOrEqual(3); // transition-tasks, insert-tasks, tasks (priority)
  });
});
