// Gap repair: a follow's window whose tasks failed or came up short is planned again on the next run, at
// most MAX_REPAIRS times, then it is a GAP with its reason and is left alone (never an endless retry). The
// failures are the fake registry's: a search that loses results while its pages are read (the download
// task fails its every attempt on the shortfall), a results row without its decision link (a download task
// completes one document short).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { SYSTEM_ACTOR } from '../../server/services/actor.ts';
import { MAX_REPAIRS, runFollow } from '../../server/services/follow-runs.ts';
import { createFollow } from '../../server/services/follows.ts';
import { followsIdle } from './follow-support.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { createWorkerKey, eventually, killAll, spawnWorker, type WorkerProcess } from '../worker/support.ts';

const PER_DAY = 2;
/** The day whose search loses results: two result pages (25 a page). */
const BIG_DAY = '2025-07-03';
const BIG = 30;
let t: TestGate;
let registry: FakeRegistry;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [t, registry] = await Promise.all([
    startTestGate('postgres'),
    startFakeRegistry({ dayCount: (day) => (day === BIG_DAY ? BIG : day.startsWith('2025-07-') ? PER_DAY : 0) }),
  ]);
  await t.gate.scheduler.stop(); // runs here take their own clock (the scheduler would run a new follow at today's)
  workers.push(
    spawnWorker({
      gateUrl: t.url,
      registryUrl: registry.url,
      apiKey: await createWorkerKey(t, 'repairer'),
      name: 'repairer',
    }),
  );
});
afterAll(async () => {
  await killAll(workers);
  await registry?.close();
  await t?.stop();
});

const idle = followsIdle;

/** A follow of one day (its start date is "today" and only today is re-counted). */
const followOfDay = async (region: string, day: string) =>
  createFollow(SYSTEM_ACTOR, {
    searchParams: { CourtRegion: region },
    startDate: day,
    schedule: '6h',
    recountDays: 1,
    window: 'day',
  });

const windowOf = (followId: string, day: string) =>
  prisma.followWindow.findUniqueOrThrow({ where: { followId_dateFrom: { followId, dateFrom: day } } });

it('a window whose download task failed is planned again by the next run, which fetches only what is missing', async () => {
  const follow = await followOfDay('11', BIG_DAY);
  // Page 2 comes from a search that lost 3 results: the task reads fewer than the 30 promised and fails,
  // every attempt.
  registry.setFaults({ rules: [{ kind: 'shrink', routes: ['page'], shrinkBy: 3 }] });
  await runFollow(SYSTEM_ACTOR, follow.id, new Date(`${BIG_DAY}T12:00:00Z`));
  await idle();
  const failed = await windowOf(follow.id, BIG_DAY);
  expect(failed).toMatchObject({ state: 'REPAIR', repairs: 0, planTaskId: null, expected: BIG });
  expect(failed.reason).toMatch(/^\d+ of 30 documents missing \(\d+ failed, 1 task\(s\) failed\): /);

  // The window is marked when its task failed; the decisions that task fetched may still be on their way to the
  // gate (uploads settle after the failure is reported). Count what is stored once every one of them is.
  const fetched = [
    ...new Set(
      registry.requestLog.filter((r) => r.route === 'review' && r.status === 200).map((r) => r.path.split('/').pop()!),
    ),
  ];
  await eventually(
    async () =>
      (await prisma.document.count({ where: { documentId: { in: fetched }, storedAt: { not: null } } })) ===
      fetched.length,
    90_000,
    'the decisions the failed attempts fetched to be stored',
  );
  registry.setFaults({});
  registry.resetLog();
  // What the failed attempts stored stays; the repair fetches the rest only.
  const storedBefore = await prisma.document.count({ where: { storedAt: { not: null } } });
  const repair = await runFollow(SYSTEM_ACTOR, follow.id, new Date(`${BIG_DAY}T18:00:00Z`));
  expect(repair.summary).toMatchObject({ windowsRepaired: 1, windowsRecounted: 0, planTasks: 1 });
  await idle();
  expect(await windowOf(follow.id, BIG_DAY)).toMatchObject({
    state: 'COMPLETE',
    expected: BIG,
    downloaded: BIG,
    repairs: 1,
    reason: null,
  });
  expect(registry.counters.review).toBe(BIG - storedBefore);
  expect(await prisma.followRun.findFirstOrThrow({ where: { followId: follow.id, round: 2 } })).toMatchObject({
    result: { newDocuments: BIG - storedBefore, knownDocuments: storedBefore, windowsComplete: 1, gaps: 0 },
  });
});

it('a window that keeps coming up short is repaired MAX_REPAIRS times, then a GAP with its reason, then left alone', async () => {
  const follow = await followOfDay('12', '2025-07-02');
  // Row 1 of every results page has no decision link: one document of the day fails, every time.
  registry.setFaults({ rules: [{ kind: 'unreadable-row', routes: ['search'], row: 1 }] });
  for (let run = 0; run <= MAX_REPAIRS; run++) {
    await runFollow(SYSTEM_ACTOR, follow.id, new Date(`2025-07-02T1${run}:00:00Z`));
    await idle();
    const w = await windowOf(follow.id, '2025-07-02');
    expect(w.state).toBe(run < MAX_REPAIRS ? 'REPAIR' : 'GAP');
    expect(w.repairs).toBe(run);
  }
  const gap = await windowOf(follow.id, '2025-07-02');
  expect(gap).toMatchObject({ state: 'GAP', expected: PER_DAY, downloaded: PER_DAY - 1, repairs: MAX_REPAIRS });
  expect(gap.reason).toMatch(/^1 of 2 documents missing \(1 failed, 0 task\(s\) failed\)/);

  registry.resetLog();
  const after = await runFollow(SYSTEM_ACTOR, follow.id, new Date('2025-07-02T20:00:00Z'));
  expect(after.summary).toMatchObject({ windowsRepaired: 0, windowsRecounted: 0, planTasks: 0 });
  await idle();
  expect(registry.requestLog).toHaveLength(0);
  registry.setFaults({});
});
