// Two gate processes on one PostgreSQL database follow the registry: exactly one of them (the scheduler, by
// advisory lock) runs a due follow. That gate is killed (-9) in the middle of the run — after it planned
// its first window's PLAN task, before it recorded the window — and the other gate takes over: the run
// happens once, whole, nothing planned twice, and a real worker then downloads every decision exactly once.
// "Mid-run" is made certain, not timed: the test holds a lock on follow_windows, so the run waits on its
// first window and the test sees it waiting (pg_locks) before it kills the gate.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { startGateProcess, type GateProcess } from '../support/gate-process.ts';
import { graphqlData } from '../support/graphql-http.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';
import { eventually, killAll, readOutput, spawnWorker, type WorkerProcess } from '../worker/support.ts';

const ADMIN = 'follow-takeover-admin-key-0123456789';
/** The fake registry's archive ends with 2025; the follow starts in its last days and runs up to today. */
const DAYS = Array.from({ length: 12 }, (_, i) => `2025-12-${String(20 + i).padStart(2, '0')}`);
const PER_DAY = 3;
const TOTAL = DAYS.length * PER_DAY;

let db: TestDatabase;
let registry: FakeRegistry;
let a: GateProcess;
let b: GateProcess;
let sql: pg.Client;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [db, registry] = await Promise.all([
    createPostgresDatabase(),
    startFakeRegistry({ dayCount: (day) => (DAYS.includes(day) ? PER_DAY : 0) }),
  ]);
  const env = {
    DATABASE_URL: (db.config as { url: string }).url,
    ADMIN_API_KEY: ADMIN,
    FOLLOW_TICK_SECONDS: '0.2',
    LEASE_SECONDS: '5',
  };
  a = await startGateProcess(env);
  await a.waitFor(/this gate is now the follow scheduler/); // a starts first and schedules
  b = await startGateProcess(env);
  sql = new pg.Client({ connectionString: (db.config as { url: string }).url });
  await sql.connect();
});

afterAll(async () => {
  await killAll(workers);
  await sql?.end().catch(() => {});
  await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
  await registry?.close();
  await db?.drop();
});

const gql = (url: string, query: string, variables: Record<string, unknown> = {}) =>
  graphqlData(url, ADMIN, query, variables);

const count = async (query: string, params: unknown[] = []) =>
  Number((await sql.query<{ n: string }>(query, params)).rows[0].n);

it('the scheduling gate killed mid-run: the other gate runs the follow once, nothing planned twice, nothing lost', async () => {
  // Hold back every write to the calendar: the run will plan its first window's task, then wait here.
  await sql.query('BEGIN');
  await sql.query('LOCK TABLE follow_windows IN SHARE ROW EXCLUSIVE MODE');
  const { createFollow } = await gql(
    b.url,
    `mutation { createFollow(input: { searchParams: { CourtRegion: "11" }, startDate: "2025-12-20", schedule: "6h",
       recountDays: 2, window: "year" }) { id } }`,
  );
  const followId = createFollow.id as string;

  const waiting = await eventually(
    async () =>
      (
        await sql.query<{ application_name: string }>(
          // pg_locks, not the session's query text: a statement waiting while it is parsed still shows the
          // session's previous query (and state "idle in transaction") in pg_stat_activity.
          `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE NOT l.granted AND l.relation = 'follow_windows'::regclass`,
        )
      ).rows[0],
    90_000,
    'the follow run to wait on its first window',
  ).catch(async (error) => {
    // Say what the gates and their sessions were doing instead of a bare timeout.
    const sessions = await sql.query(
      `SELECT application_name, state, wait_event_type, left(query, 100) AS query FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    throw new Error(
      `${(error as Error).message}\ngate a's log:\n${a.lines().slice(-20).join('\n')}\nsessions: ${JSON.stringify(sessions.rows)}`,
    );
  });
  // The run is the scheduling gate's (a), and only it has begun one.
  expect(waiting.application_name).toBe(`reyestr-gate ${a.child.pid} pool`);
  expect(b.lines().some((l) => l.includes('this gate is now the follow scheduler'))).toBe(false);

  await a.stop('SIGKILL');
  await sql.query('COMMIT'); // the dead gate's transaction can go on only to find its client gone: rolled back

  await b.waitFor(/this gate is now the follow scheduler/, 90_000);
  await b.waitFor(/"msg":"follow run"/, 90_000);

  // One run, its windows each planned once by one PLAN task; nothing of the killed attempt is left.
  const follow = (await sql.query('SELECT runs, covered_to, last_run_at FROM follows WHERE id = $1', [followId]))
    .rows[0];
  expect(follow.runs).toBe(1);
  expect(await count('SELECT count(*) AS n FROM follow_runs WHERE follow_id = $1', [followId])).toBe(1);
  const windows = (
    await sql.query<{ date_from: string; plan_task_id: string; round: number }>(
      'SELECT date_from, plan_task_id, round FROM follow_windows WHERE follow_id = $1 ORDER BY date_from',
      [followId],
    )
  ).rows;
  expect(windows.map((w) => w.date_from).slice(0, 2)).toEqual(['2025-12-20', '2026-01-01']);
  expect(windows).toHaveLength(4); // 2025-12-20..31, 2026-01-01..(today - 2), and the two re-counted days
  expect(windows.every((w) => w.plan_task_id && w.round === 1)).toBe(true);
  expect(new Set(windows.map((w) => w.plan_task_id)).size).toBe(windows.length);
  expect(await count(`SELECT count(*) AS n FROM tasks WHERE kind = 'PLAN'`)).toBe(windows.length);

  // Nothing lost: a worker downloads every decision, each once, and the run settles complete.
  const { createApiKey } = await gql(b.url, 'mutation { createApiKey(input: { name: "w", role: WORKER }) { key } }');
  workers.push(spawnWorker({ gateUrl: b.url, registryUrl: registry.url, apiKey: createApiKey.key, name: 'takeover' }));
  const run = await eventually(
    async () =>
      (
        await sql.query<{ result: Record<string, number> }>(
          'SELECT result FROM follow_runs WHERE follow_id = $1 AND finished_at IS NOT NULL',
          [followId],
        )
      ).rows[0],
    120_000,
    'the run to settle',
  );
  expect(run.result).toMatchObject({ newDocuments: TOTAL, windowsComplete: 4, gaps: 0, repairs: 0 });
  expect(registry.counters.review).toBe(TOTAL);
  expect(new Set(readOutput(workers[0].outputDir).map((d) => d.documentId)).size).toBe(TOTAL);
  // The run settles on its tasks' completions (newDocuments is what they reported); the decisions themselves may
  // still be on their way from the worker's outbox (uploads follow a completion when a try failed or --upload-wait
  // ran out, on a busy box): wait for them before counting.
  const stored = () => count(`SELECT count(*) AS n FROM documents WHERE stored_at IS NOT NULL`);
  await eventually(async () => (await stored()) >= TOTAL, 60_000, 'the decisions stored');
  expect(await stored()).toBe(TOTAL);
  expect(
    await count(`SELECT count(*) AS n FROM follow_windows WHERE follow_id = $1 AND state = 'COMPLETE'`, [followId]),
  ).toBe(4);
}, 400_000);
