/**
 * `npm run bench:follow`: registry requests per follow run (issue 17). A follow over one region and 5 years
 * of the fake registry (BENCH_FOLLOW_DAYS days ending 2025-12-30, BENCH_FOLLOW_PER_DAY decisions a day), a
 * gate on PostgreSQL and one real `reyestr worker` process:
 *   1. the first run backfills everything (months, then the last 30 days day by day);
 *   2. nothing changed: goal ≤ 1 registry request per re-counted window, 0 downloads;
 *   3. 1% changed (late registrations into the re-counted days and a new day): goal — only the new decisions
 *      are downloaded (downloaded / new = 1.00).
 * The runs take the clock ("today" 2025-12-30, then 2025-12-31: the fake's archive ends with 2025), so the gate
 * runs in this process (as the tests' gate does); the worker is its own process. Requests are the fake
 * registry's own log (every route), beside what the run's result counted.
 *   BENCH_FOLLOW_DAYS=60 BENCH_FOLLOW_PER_DAY=4 npm run bench:follow    a quick proof
 *   BENCH_DB_LIMIT=0 skips ../shared/bench/db-limit.sh, BENCH_WRITE=0 leaves docs/benchmarks.md alone.
 */
import { addIsoDays } from '../client/rules/index.ts';
import { prisma } from '../server/db/database.ts';
import { SYSTEM_ACTOR } from '../server/services/actor.ts';
import { runFollow, settleFollows } from '../server/services/follow-runs.ts';
import { createFollow } from '../server/services/follows.ts';
import { startFakeRegistry, type Route } from '../test/fake-registry/index.ts';
import { startTestGate } from '../test/support/gate.ts';
import { createWorkerKey, eventually, killAll, spawnWorker } from '../test/worker/support.ts';
import { dbLimit } from './db-limit.ts';
import { machine, writeSection } from './support.ts';

const DAYS = Number(process.env.BENCH_FOLLOW_DAYS ?? 1826);
const PER_DAY = Number(process.env.BENCH_FOLLOW_PER_DAY ?? 20);
const RECOUNT_DAYS = 30;
const LAST_DAY = '2025-12-30';
const NEW_DAY = '2025-12-31';
const START = addIsoDays(LAST_DAY, 1 - DAYS);

/** Decisions per day; grows in step 3. */
const extra = new Map<string, number>();
const dayCount = (day: string) => (day >= START && day <= LAST_DAY ? PER_DAY : 0) + (extra.get(day) ?? 0);

interface RunRow {
  name: string;
  seconds: number;
  windows: string;
  requests: Record<Route, number>;
  total: number;
  runCounted: number;
  downloaded: number;
  newInRegistry: number;
}

async function main() {
  const limit = dbLimit();
  const t = await startTestGate('postgres', { logLevel: 'warn' });
  await t.gate.scheduler.stop(); // the runs below take their own clock; the real one would run the follow at today's date
  const registry = await startFakeRegistry({ dayCount });
  const worker = spawnWorker({
    gateUrl: t.url,
    registryUrl: registry.url,
    apiKey: await createWorkerKey(t, 'bench-follower'),
    name: 'bench-follower',
    args: ['--concurrency', '8'],
  });
  const rows: RunRow[] = [];
  try {
    const follow = await createFollow(SYSTEM_ACTOR, {
      searchParams: { CourtRegion: '11' },
      startDate: START,
      schedule: '6h',
      recountDays: RECOUNT_DAYS,
      window: 'month',
    });

    const measure = async (name: string, now: string, newInRegistry: number) => {
      registry.resetLog();
      const started = performance.now();
      const run = await runFollow(SYSTEM_ACTOR, follow.id, new Date(now));
      await eventually(
        async () => {
          await settleFollows();
          return (await prisma.followRun.findUniqueOrThrow({ where: { id: run.id } })).finishedAt !== null;
        },
        3_600_000,
        `run "${name}" to settle`,
      );
      const seconds = (performance.now() - started) / 1000;
      const settled = await prisma.followRun.findUniqueOrThrow({ where: { id: run.id } });
      const s = settled.summary as Record<string, number>;
      const r = settled.result as Record<string, number>;
      const requests = { ...registry.counters };
      const row: RunRow = {
        name,
        seconds,
        windows: `${s.windowsNew} new, ${s.windowsRecounted} re-counted, ${s.windowsRepaired} repaired`,
        requests,
        total: Object.values(requests).reduce((a, b) => a + b, 0),
        runCounted: r.registryRequests ?? 0,
        downloaded: requests.review,
        newInRegistry,
      };
      rows.push(row);
      console.log(
        `${name}: ${row.windows}; ${row.total} registry requests (${JSON.stringify(requests)}), ` +
          `run counted ${row.runCounted}; ${row.downloaded} downloaded of ${newInRegistry} new; ${seconds.toFixed(1)} s`,
      );
      return { s, r, row };
    };

    const base = DAYS * PER_DAY;
    const first = await measure('first run (backfill)', `${LAST_DAY}T06:00:00Z`, base);
    if (first.row.downloaded !== base) throw new Error(`first run fetched ${first.row.downloaded} of ${base}`);
    const unchanged = await measure('nothing changed', `${LAST_DAY}T12:00:00Z`, 0);

    // 1% more: a new day and late registrations spread over the re-counted days.
    const added = Math.max(2, Math.round(base / 100));
    extra.set(NEW_DAY, Math.ceil(added / 2));
    let late = added - Math.ceil(added / 2);
    for (let i = 0; late > 0; i = (i + 1) % (RECOUNT_DAYS - 1), late--) {
      const day = addIsoDays(LAST_DAY, -i);
      extra.set(day, (extra.get(day) ?? 0) + 1);
    }
    registry.setDayCount(dayCount); // the fake reads its counts afresh
    const grown = await measure('1% changed', `${NEW_DAY}T06:00:00Z`, added);

    const perWindow = (n: number) => (n / Math.max(1, unchanged.s.windowsRecounted)).toFixed(2);
    const goals = [
      `nothing changed: ${unchanged.row.requests.search} searches for ${unchanged.s.windowsRecounted} re-counted windows ` +
        `(${perWindow(unchanged.row.requests.search)} per window, goal ≤ 1), ${unchanged.row.total} requests with the ` +
        `session's form page (${perWindow(unchanged.row.total)} per window), ${unchanged.row.downloaded} decisions fetched (goal 0)`,
      `1% changed: fetched / new = ${(grown.row.downloaded / added).toFixed(2)} (goal 1.00): ` +
        `${grown.row.downloaded} decisions fetched for ${added} new`,
    ];
    for (const goal of goals) console.log(goal);
    console.log(limit.line);

    const table = rows
      .map(
        (r) =>
          `| ${r.name} | ${r.windows} | ${r.total} | ${r.requests.form} / ${r.requests.search} / ${r.requests.page} / ${r.requests.review} | ${r.runCounted} | ${r.downloaded} | ${r.newInRegistry} | ${r.seconds.toFixed(1)} |`,
      )
      .join('\n');
    writeSection(
      'Follow: registry requests per run (bench:follow)',
      `\`BENCH_FOLLOW_DAYS=${DAYS} BENCH_FOLLOW_PER_DAY=${PER_DAY} npm run bench:follow\` — ${new Date().toISOString().slice(0, 10)}, ${machine()}; PostgreSQL on 127.0.0.1:5432, one \`reyestr worker --concurrency 8\`, the fake registry on loopback. ${limit.line}.

A follow of CourtRegion=11 over ${DAYS} days (${START} … ${LAST_DAY}, ${PER_DAY} decisions a day, ${base} in all), re-counting the last ${RECOUNT_DAYS} days. Requests are the fake registry's log (form / search / page / decision; every task opens a session with the form page); "run counted" is what the run's result says it spent (searches of its PLAN tasks, result pages, decisions); "fetched" is decisions read from the registry.

| run | windows | registry requests | form / search / page / decision | run counted | fetched | new in registry | seconds |
| --- | --- | --- | --- | --- | --- | --- | --- |
${table}

${goals.map((g) => `- ${g}`).join('\n')}
`,
    );
  } finally {
    await killAll([worker]);
    await registry.close();
    await t.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
