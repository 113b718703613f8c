// End to end: `reyestr tasks plan` → a real `reyestr worker` process plans the windows (runPlanTask through
// the worker loop) and downloads the chunks from the fake registry → `reyestr coverage` says complete.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dayWindow } from '../fake-registry/data.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import {
  createWorkerKey,
  eventually,
  killAll,
  readOutput,
  spawnWorker,
  type WorkerProcess,
} from '../worker/support.ts';

const run = promisify(execFile);
const PER_DAY = 5;

let t: TestGate;
let registry: FakeRegistry;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [t, registry] = await Promise.all([
    startTestGate('postgres'),
    startFakeRegistry({ totalFor: (params) => (dayWindow(params)[1] - dayWindow(params)[0] + 1) * PER_DAY }),
  ]);
});
afterAll(async () => {
  await killAll(workers);
  await registry?.close();
  await t?.stop();
});

it('a worker plans and downloads a planned search; coverage proves it complete', async () => {
  const cli = async (...args: string[]) =>
    JSON.parse(
      (
        await run(process.execPath, ['bin/reyestr.mjs', ...args, '--json'], {
          env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY },
        })
      ).stdout,
    );
  // Two weeks, a page budget of one page (25 decisions): each week (35) is halved into 4 + 3 days.
  const planned = await cli(
    'tasks',
    'plan',
    '-p',
    'CourtRegion=11',
    '--from',
    '01.04.2024',
    '--to',
    '14.04.2024',
    '--window',
    'week',
    '--chunk',
    '25',
    '--page-budget',
    '1',
  );
  expect(planned).toMatchObject({ created: true, windows: 2 });

  const worker = spawnWorker({
    gateUrl: t.url,
    registryUrl: registry.url,
    apiKey: await createWorkerKey(t, 'planner-worker'),
    name: 'planner-worker',
  });
  workers.push(worker);
  // Complete (every chunk's task COMPLETED) can come before downloaded (the decisions stored): a worker completes a
  // task before its uploads settle when an upload try failed or --upload-wait ran out (a busy box), and they follow
  // from its outbox. Wait for both.
  const coverage = await eventually(
    async () => {
      const c = await cli('coverage', '--plan', planned.plan.id);
      return c.complete && c.missing === 0 && c;
    },
    45_000,
    'the plan to be covered and its decisions stored',
  );
  expect(coverage).toMatchObject({ expected: 14 * PER_DAY, planned: 14 * PER_DAY, downloaded: 14 * PER_DAY, gaps: 0 });
  expect(coverage.windows.map((w: { from: string; to: string }) => `${w.from}..${w.to}`)).toEqual([
    '2024-04-01..2024-04-04',
    '2024-04-05..2024-04-07',
    '2024-04-08..2024-04-11',
    '2024-04-12..2024-04-14',
  ]);
  worker.kill('SIGTERM');
  expect(await worker.exited).toBe(0);
  expect(readOutput(worker.outputDir)).toHaveLength(14 * PER_DAY);
  const plans = await t.ok(`{ tasks(filter: { kind: PLAN }) { edges { node { status resultSummary } } } }`);
  expect(plans.tasks.edges.map((e: { node: { status: string } }) => e.node.status)).toEqual(Array(6).fill('COMPLETED'));
});
