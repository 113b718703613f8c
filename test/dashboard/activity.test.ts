// The dashboard's "Throughput and failures" chart in headless Chromium against a real gate on PostgreSQL:
// the last hour / day / week (60, 24, 168 buckets), for all workers or one, all plans or one — from activity(),
// which reads rolled-up counters — and a completion made while the page is open shows without a reload.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../client/registry/transports/browser.ts';
import { CLAIM, COMPLETE, CREATE_TASK, FAIL, REGISTER, region11 } from '../gate/operations.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { chromiumPath, haveChromium, OUTPUT, signedInDashboard } from './support.ts';

const CREATE_PLAN = `mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }`;

describe.skipIf(!haveChromium)('dashboard throughput and failures chart (headless Chromium)', () => {
  let browser: Browser;
  let gate: TestGate;
  let page: Page;
  let alpha: string;
  let beta: string;
  let planId: string;
  const pageErrors: string[] = [];

  const claim = async (clientId: string) => (await gate.ok(CLAIM, { clientId })).claimTask;
  const complete = async (clientId: string, documentsDownloaded: number) => {
    const lease = await claim(clientId);
    await gate.ok(COMPLETE, { input: { taskId: lease.task.id, leaseToken: lease.leaseToken, documentsDownloaded } });
  };
  const totals = () => page.locator('#activity-totals').textContent();
  const buckets = () => page.locator('#activity-chart svg g.bucket');

  /** when the first completion below was made: the chart's minutes from here on hold every count */
  let madeAt: number;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    gate = await startTestGate('postgres', { maxAttempts: 1 });
    alpha = (await gate.ok(REGISTER, { name: 'alpha' })).registerClient.id;
    beta = (await gate.ok(REGISTER, { name: 'beta' })).registerClient.id;
    for (let i = 0; i < 6; i++) await gate.ok(CREATE_TASK, { input: { searchParams: region11, maxDocuments: 10 } });
    madeAt = Date.now();
    await complete(alpha, 3);
    await complete(alpha, 4);
    const failing = await claim(beta);
    await gate.ok(FAIL, {
      input: { taskId: failing.task.id, leaseToken: failing.leaseToken, errorClass: 'NETWORK', message: 'reset' },
    });
    // a plan whose first window (priority 100, claimed first) beta completes
    planId = (
      await gate.ok(CREATE_PLAN, {
        input: { searchParams: region11, from: '2024-01-01', to: '2024-01-31', window: 'month', priority: 100 },
      })
    ).createPlan.plan.id;
    await complete(beta, 0);

    browser = await launchChromium(chromiumPath);
    page = await signedInDashboard(browser, gate, pageErrors);
    await page.locator('#activity-chart[data-range=HOUR] svg').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await gate?.stop();
    await gate?.db.drop();
  });

  it('the last hour, a bar a minute: completed tasks with failed attempts stacked in red', async () => {
    expect(await buckets().count()).toBe(60);
    expect(await totals()).toBe('3 completed · 1 failed · 1 dead · 0 expired leases · 7 documents');
    // The bars from the minute of the first completion on hold all of them — on a busy box the page may open a
    // minute or more later, so "the last bar" need not be the one that has them.
    const since = madeAt - (madeAt % 60_000);
    const recent = await buckets().evaluateAll(
      (groups, from) =>
        groups
          .filter((g) => Date.parse(g.getAttribute('data-at') ?? '') >= from)
          .map((g) => [Number(g.getAttribute('data-completed')), Number(g.getAttribute('data-failed'))]),
      since,
    );
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.reduce((sum, [completed]) => sum + completed, 0)).toBe(3);
    expect(recent.reduce((sum, [, failed]) => sum + failed, 0)).toBe(1);
    expect(await page.locator('#activity-chart svg rect.bar.fail').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#activity-chart svg g.bucket title').last().textContent()).toMatch(
      / completed, \d+ failed, \d+ dead, \d+ expired leases, \d+ documents$/,
    );
    await page.locator('.chart-card').screenshot({ path: `${OUTPUT}/dashboard-activity-hour.png` });
  });

  it('a day in 24 hourly bars and a week in 168, the same totals', async () => {
    await page.locator('#activity-range button[data-range=DAY]').click();
    await page.locator('#activity-chart[data-range=DAY]').waitFor();
    expect(await buckets().count()).toBe(24);
    expect(await totals()).toBe('3 completed · 1 failed · 1 dead · 0 expired leases · 7 documents');
    await page.locator('#activity-range button[data-range=WEEK]').click();
    await page.locator('#activity-chart[data-range=WEEK]').waitFor();
    expect(await buckets().count()).toBe(168);
    expect(await page.locator('#activity-range button[data-range=WEEK]').getAttribute('aria-pressed')).toBe('true');
    await page.locator('.chart-card').screenshot({ path: `${OUTPUT}/dashboard-activity-week.png` });
    await page.locator('#activity-range button[data-range=HOUR]').click();
    await page.locator('#activity-chart[data-range=HOUR]').waitFor();
  });

  it('one worker, then one plan', async () => {
    await page.locator('#activity-worker').selectOption({ label: 'beta' });
    await page.locator('#activity-totals', { hasText: '1 completed · 1 failed · 1 dead' }).waitFor();
    await page.locator('#activity-worker').selectOption({ label: 'alpha' });
    await page
      .locator('#activity-totals', { hasText: '2 completed · 0 failed · 0 dead · 0 expired leases · 7 documents' })
      .waitFor();
    await page.locator('#activity-worker').selectOption('');
    await page.locator('#activity-plan').selectOption(planId);
    await page
      .locator('#activity-totals', { hasText: '1 completed · 0 failed · 0 dead · 0 expired leases · 0 documents' })
      .waitFor();
    await page.locator('.chart-card').screenshot({ path: `${OUTPUT}/dashboard-activity-plan.png` });
    await page.locator('#activity-plan').selectOption('');
    await page.locator('#activity-totals', { hasText: '3 completed · 1 failed' }).waitFor();
  });

  it('a completion while the page is open shows without a reload', async () => {
    await complete(alpha, 5);
    await page
      .locator('#activity-totals', { hasText: '4 completed · 1 failed · 1 dead · 0 expired leases · 12 documents' })
      .waitFor();
    expect(pageErrors).toEqual([]);
  });
});
