// npm run bench:bulk — one bulkTasks(RETRY) request over BENCH_BULK_TASKS (default 10,000) DEAD tasks on
// PostgreSQL (goal: ≤ 2 s), the same statements run directly as the baseline, and what a subscribed dashboard
// sees meanwhile: headless Chromium with /dashboard open records every frame (requestAnimationFrame) while the
// RETRIED events arrive over its graphql-ws connection, and the bench reports the longest frame and the p95.
// The gate runs as its own process, as in production. Rounds: BENCH_BULK_ROUNDS (default 3; the median is shown).
import { existsSync } from 'node:fs';
import { DEFAULT_CHROMIUM_PATH, launchChromium } from '../client/registry/transports/browser.ts';
import { closeDatabase, openDatabase, prisma } from '../server/db/database.ts';
import { applyMigrations } from '../server/db/migrate.ts';
import { retryTasks } from '../server/db/sql/end-leases.ts';
import { insertTasks } from '../server/db/sql/insert-tasks.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { dbLimit } from './db-limit.ts';
import { downloadTaskRows, machine, median, percentile, startGateProcess, writeSection } from './support.ts';
import { graphqlData } from '../test/support/graphql-http.ts';

const TASKS = Number(process.env.BENCH_BULK_TASKS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_BULK_ROUNDS ?? 3);
const KEY = 'bench-admin-key-0123456789abcdef';
const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

/** TASKS tasks, all DEAD with a NETWORK error, as a worker fleet's failures would leave them. */
async function seedDead() {
  await prisma.$executeRaw`TRUNCATE tasks, task_events CASCADE`;
  for (let i = 0; i < TASKS; i += 5000) {
    await insertTasks(downloadTaskRows(Math.min(5000, TASKS - i), i + 1));
  }
  await prisma.$executeRaw`UPDATE tasks SET status = 'DEAD', attempts = 3, last_error_class = 'NETWORK', last_error = 'x'`;
}

/** One GraphQL call to the gate at `url` (its base URL). */
const gql = (url: string, query: string, variables: Record<string, unknown> = {}) =>
  graphqlData(url, KEY, query, variables);

async function main() {
  const limit = dbLimit();
  console.log(limit.line);
  const db = await createPostgresDatabase('reyestr_bench_bulk');
  const gateProcess = await startGateProcess({
    DATABASE_URL: (db.config as { url: string }).url,
    ADMIN_API_KEY: KEY,
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
  });
  const browser = existsSync(chromiumPath) ? await launchChromium(chromiumPath) : null;
  try {
    const url = gateProcess.url;
    const database = await openDatabase(db.config);
    await applyMigrations(database);

    const page = browser ? await browser.newPage({ viewport: { width: 1280, height: 900 } }) : null;
    if (page) {
      await page.goto(`${gateProcess.url}/dashboard`);
      await page.locator('#login-key').fill(KEY);
      await page.locator('#login-form button[type=submit]').click();
      await page.locator('#live[data-state=live]').waitFor({ timeout: 30_000 });
    }

    const gateSeconds: number[] = [];
    const rawSeconds: number[] = [];
    const frames: Array<{ p95: number; max: number; seconds: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      await seedDead();
      if (page) {
        await page.reload();
        await page.locator('#live[data-state=live]').waitFor({ timeout: 30_000 });
        // A string, not a function: tsx would wrap a named function in a helper the page does not have.
        await page.evaluate(`(() => {
          window.__frames = [];
          window.__stop = false;
          let last = performance.now();
          const tick = (now) => {
            window.__frames.push(now - last);
            last = now;
            if (!window.__stop) requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        })()`);
      }
      const started = performance.now();
      const { bulkTasks } = await gql(
        url,
        'mutation($i: BulkTasksInput!) { bulkTasks(input: $i) { matched changed } }',
        { i: { action: 'RETRY', filter: { status: ['DEAD'], errorClass: ['NETWORK'] } } },
      );
      const seconds = (performance.now() - started) / 1000;
      if (bulkTasks.changed !== TASKS) throw new Error(`retried ${bulkTasks.changed} of ${TASKS}`);
      gateSeconds.push(seconds);
      console.log(`round ${round + 1}: bulkTasks(RETRY) of ${TASKS} DEAD tasks: ${seconds.toFixed(3)} s`);
      if (page) {
        // Until the page has shown the last RETRIED event: the pending tile counts every retried task.
        const shownFrom = performance.now();
        await page
          .waitForFunction(
            (n) => Number(document.querySelector('#t-pending')?.textContent?.replace(/\D/g, '') ?? 0) >= n,
            TASKS,
            { timeout: 120_000, polling: 100 },
          )
          .catch(() => console.log('(the pending tile never showed every task; frame times cover the wait)'));
        const recorded = (await page.evaluate('window.__stop = true, window.__frames.slice(1)')) as number[];
        const sorted = [...recorded].sort((a, b) => a - b);
        const f = {
          p95: percentile(sorted, 95),
          max: sorted[sorted.length - 1] ?? 0,
          seconds: (performance.now() - shownFrom) / 1000 + seconds,
        };
        frames.push(f);
        console.log(
          `  dashboard: ${recorded.length} frames, p95 ${f.p95.toFixed(1)} ms, longest ${f.max.toFixed(1)} ms`,
        );
      }
      // Baseline: the same statements (ids read in batches of 5000, then retry-tasks.ts) straight from this process.
      await seedDead();
      const rawStarted = performance.now();
      let after = '';
      for (;;) {
        const ids = (
          await prisma.task.findMany({
            where: { status: 'DEAD', lastErrorClass: 'NETWORK', id: { gt: after || undefined } },
            select: { id: true },
            orderBy: { id: 'asc' },
            take: 5000,
          })
        ).map((t) => t.id);
        if (ids.length === 0) break;
        after = ids[ids.length - 1];
        await retryTasks(ids);
      }
      rawSeconds.push((performance.now() - rawStarted) / 1000);
      console.log(`  raw statements: ${rawSeconds[rawSeconds.length - 1].toFixed(3)} s`);
    }

    const g = median(gateSeconds);
    const frameRow = frames.length
      ? `| dashboard frame time while the events arrive | p95 ${median(frames.map((f) => f.p95)).toFixed(1)} ms, longest ${median(frames.map((f) => f.max)).toFixed(1)} ms | (median of rounds) |`
      : '| dashboard frame time | not measured: no Chromium | |';
    const report = `Command: \`npm run bench:bulk\` (BENCH_BULK_TASKS=${TASKS}, BENCH_BULK_ROUNDS=${ROUNDS}) — ${new Date().toISOString().slice(0, 10)}, ${machine()}, PostgreSQL on 127.0.0.1.
One \`bulkTasks(action: RETRY, filter: {status: [DEAD], errorClass: [NETWORK]})\` request to a gate process (auth on); the gate reads the
matching ids in batches of 5000 and runs the retry statement (one UPDATE + one RETRIED event per task) per batch. The raw row runs the same
reads and statements from the bench process. A headless Chromium keeps /dashboard open (live) throughout.
The database's own limit, same run: ${limit.line}.

| what | result | goal |
|---|---|---|
| bulkTasks RETRY of ${TASKS} DEAD tasks (gate, median of ${ROUNDS}) | **${g.toFixed(3)} s** (${Math.round(TASKS / g)} tasks/s) | ≤ 2 s |
| the same statements, raw (median) | ${median(rawSeconds).toFixed(3)} s | |
${frameRow}`;
    writeSection('Bulk retry (bulkTasks) and a live dashboard', report);
    console.log(report);
  } finally {
    await browser?.close();
    await gateProcess.stop();
    await closeDatabase();
    await db.drop();
  }
}

await main();
