// Following the registry end to end: a follow created with `reyestr follow create`, runs at chosen
// "todays" (the run service takes the clock), a real `reyestr worker` process planning and downloading
// from the fake registry, which grows between runs (late registrations into old days, a new day) and
// loses a decision. The registry's request log proves what each run cost.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../server/services/actor.ts';
import { MAX_REPAIRS, runDueFollows, runFollow } from '../../server/services/follow-runs.ts';
import { pauseFollow } from '../../server/services/follows.ts';
import { prisma } from '../../server/db/database.ts';
import { documentIdFor } from '../fake-registry/data.ts';
import { followsIdle } from './follow-support.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { createWorkerKey, killAll, readOutput, spawnWorker, type WorkerProcess } from '../worker/support.ts';

const run = promisify(execFile);
const perDay = new Map<string, number>();
const DAY_INDEX = (iso: string) =>
  Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.parse('2006-01-01T00:00:00Z')) / 86_400_000);

let t: TestGate;
let registry: FakeRegistry;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  for (let d = 1; d <= 20; d++) perDay.set(`2025-06-${String(d).padStart(2, '0')}`, 2);
  [t, registry] = await Promise.all([
    startTestGate('postgres'),
    startFakeRegistry({ dayCount: (day) => perDay.get(day) ?? 0 }),
  ]);
  await t.gate.scheduler.stop(); // runs here take their own clock (the scheduler would run a new follow at today's)
});
afterAll(async () => {
  await killAll(workers);
  await registry?.close();
  await t?.stop();
});

const cliText = async (...args: string[]) =>
  (
    await run(process.execPath, ['bin/reyestr.mjs', ...args], {
      env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY },
    })
  ).stdout;
const cli = async (...args: string[]) => JSON.parse(await cliText(...args, '--json'));

const idle = followsIdle;

const lastRun = async (followId: string) =>
  prisma.followRun.findFirstOrThrow({ where: { followId }, orderBy: { round: 'desc' } });

it('plans and downloads everything, then only what the registry added; unchanged costs one search per window; a removed decision ends as a gap', async () => {
  const follow = await cli(
    'follow',
    'create',
    '-p',
    'CourtRegion=11',
    '--from',
    '01.06.2025',
    '--every',
    '6h',
    '--recount-days',
    '5',
    '--window',
    'week',
  );
  expect(follow).toMatchObject({ startDate: '2025-06-01', schedule: '6h', recountDays: 5, paused: false, runs: 0 });
  expect((await cli('follow', 'list')).map((f: { id: string }) => f.id)).toEqual([follow.id]);

  workers.push(
    spawnWorker({
      gateUrl: t.url,
      registryUrl: registry.url,
      apiKey: await createWorkerKey(t, 'follower'),
      name: 'follower',
    }),
  );
  const worker = workers[0];

  // Run 1 ("today" 20.06): backfill 01..15 in weeks, days 16..20 → everything (40 decisions).
  const first = await runFollow(SYSTEM_ACTOR, follow.id, new Date('2025-06-20T12:00:00Z'));
  expect(first.summary).toMatchObject({ windowsNew: 8, windowsRecounted: 0 });
  await idle();
  expect(await lastRun(follow.id)).toMatchObject({ result: { newDocuments: 40, gaps: 0, windowsComplete: 8 } });
  expect(readOutput(worker.outputDir)).toHaveLength(40);

  // The registry grows: two late registrations on the 18th, a new day (21st) with three.
  perDay.set('2025-06-18', 4);
  perDay.set('2025-06-21', 3);
  registry.setDayCount((day) => perDay.get(day) ?? 0);
  registry.resetLog();
  const second = await runFollow(SYSTEM_ACTOR, follow.id, new Date('2025-06-21T12:00:00Z'));
  expect(second.summary).toMatchObject({ windowsNew: 1, windowsRecounted: 4 });
  await idle();
  expect(await lastRun(follow.id)).toMatchObject({ result: { newDocuments: 5, gaps: 0 } });
  expect(registry.counters.review).toBe(5); // exactly the new decisions, none twice
  expect(readOutput(worker.outputDir)).toHaveLength(45);

  // Nothing changed: one search per re-counted window, no pages, no downloads, no form.
  registry.resetLog();
  const third = await runFollow(SYSTEM_ACTOR, follow.id, new Date('2025-06-21T18:00:00Z'));
  expect(third.summary).toMatchObject({ windowsNew: 0, windowsRecounted: 5 });
  await idle();
  expect(registry.counters.search).toBeLessThanOrEqual(5);
  expect(registry.counters.review).toBe(0);
  // …and nothing else: the worker searches again in its warm session (the form was loaded in an earlier run).
  expect(registry.counters.form).toBe(0);
  expect(await lastRun(follow.id)).toMatchObject({ result: { newDocuments: 0, windowsComplete: 5 } });

  // A decision registered late on the 19th is removed before anyone fetched it: listed, but its page is gone.
  perDay.set('2025-06-19', 3);
  registry.setDayCount((day) => perDay.get(day) ?? 0);
  registry.removeDecision(documentIdFor(DAY_INDEX('2025-06-19'), 2));
  for (let i = 0; i <= MAX_REPAIRS + 1; i++) {
    await runFollow(SYSTEM_ACTOR, follow.id, new Date(`2025-06-21T19:0${i}:00Z`));
    await idle();
  }
  const day19 = await prisma.followWindow.findFirstOrThrow({ where: { followId: follow.id, dateFrom: '2025-06-19' } });
  expect(day19).toMatchObject({ state: 'GAP', expected: 3, downloaded: 2, repairs: MAX_REPAIRS });
  expect(day19.reason).toMatch(/1 of 3 documents missing/);
  // A gap is not retried: the next run re-counts the other days only.
  const after = await runFollow(SYSTEM_ACTOR, follow.id, new Date('2025-06-21T20:00:00Z'));
  expect(after.summary).toMatchObject({ windowsRecounted: 4, windowsRepaired: 0 });
  await idle();

  const got = await cli('follow', 'get', follow.id.slice(0, 8)); // the short id, as the CLI's tables show it
  expect(got.runs).toBeGreaterThanOrEqual(7);
  expect(readOutput(worker.outputDir)).toHaveLength(45); // the removed decision never arrives

  // Coverage: the calendar day by day (the 19th a gap, its reason listed) and the month's figures.
  const { coverage, runLog } = await cli('coverage', '--follow', follow.id, '--runs', '3');
  expect(coverage).toMatchObject({
    from: '2025-06-01',
    to: '2025-06-21',
    expected: 46,
    downloaded: 45,
    missing: 1,
    gaps: 1,
    months: [{ month: '2025-06', expected: 46, downloaded: 45, missing: 1, daysDownloaded: 20, daysGap: 1 }],
  });
  expect(coverage.days).toHaveLength(21);
  expect(coverage.days.filter((d: { state: string }) => d.state !== 'DOWNLOADED')).toEqual([
    { date: '2025-06-19', state: 'GAP' },
  ]);
  expect(coverage.gapWindows).toMatchObject([{ from: '2025-06-19', expected: 3, downloaded: 2 }]);
  expect(runLog).toHaveLength(3);
  const text = await cliText('coverage', '--follow', follow.id.slice(0, 8));
  const lines = text.trimEnd().split('\n');
  expect(lines.every((line) => line.length <= 80)).toBe(true);
  expect(lines).toContain(`2025-06  ${'#'.repeat(18)}X##${' '.repeat(10)}        46         45        1`);
  expect(text).toMatch(/2025-06-19\.\.2025-06-19 2\/3 after 2 repair\(s\): 1 of 3 documents missing/);
  expect(text).toMatch(/RUN +STARTED +NEW +RECOUNT +REPAIR +DOCS +REQUESTS +GAPS +STATE/);

  // Done with this follow and its worker: left due, the next test's scheduler run at today's date would backfill
  // it from June 2025 week by week, and the worker would plan every one of those windows (most of that test's time).
  await pauseFollow(SYSTEM_ACTOR, follow.id);
  await killAll(workers);
}, 300_000);

it('two schedulers racing: each due run happens once; a missed run is one run, not one per missed tick', async () => {
  const created = await cli('follow', 'create', '-p', 'CourtRegion=12', '--from', '20.06.2025', '--every', '1h');
  const due = new Date(Date.now() + 5 * 3_600_000); // five ticks "missed"
  const [a, b] = await Promise.all([runDueFollows(due), runDueFollows(due)]);
  const mine = [...a, ...b].filter((r) => r.followId === created.id);
  expect(mine).toHaveLength(1);
  const follow = await prisma.follow.findUniqueOrThrow({ where: { id: created.id } });
  expect(follow.runs).toBe(1);
  expect(follow.nextRunAt.getTime()).toBe(due.getTime() + 3_600_000);
  await cli('follow', 'pause', created.id);
  const later = await runDueFollows(new Date(due.getTime() + 10 * 3_600_000));
  expect(later.filter((r) => r.followId === created.id)).toEqual([]);
  await cli('follow', 'delete', created.id);
}, 300_000);
