// The dashboard's numbers that do not mislead and its per-plan/follow controls, in headless Chromium against a real
// gate on PostgreSQL (issues 18 and 19): pausing one plan and one follow (shown paused in their lists and on their
// pending tasks), the bulk bar over a worker and a created range, a worker that says goodbye shown stopped live,
// the documents/min tile from the per-minute rollup with its window named, and "… ago" texts that tick with no
// event. Every wait is on a condition. Screenshots go to test-output/.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../client/registry/transports/browser.ts';
import { prisma } from '../../server/db/database.ts';
import { SYSTEM_ACTOR } from '../../server/services/actor.ts';
import { createFollow } from '../../server/services/follows.ts';
import { CLAIM, CREATE_TASKS, REGISTER, region11 } from '../gate/operations.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { chromiumPath, haveChromium, OUTPUT, signedInDashboard } from './support.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';

describe.skipIf(!haveChromium)('dashboard: pause one plan or follow, bulk by worker and date, honest numbers', () => {
  let browser: Browser;
  let gate: TestGate;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    [browser, gate] = await Promise.all([launchChromium(chromiumPath), startTestGate('postgres')]);
    await gate.gate.scheduler.stop(); // the follow below must not run by itself
    page = await signedInDashboard(browser, gate, pageErrors);
    page.on('dialog', (dialog) => void dialog.accept()); // the confirmations say yes
  });
  afterAll(async () => {
    await browser?.close();
    await gate?.stop();
  });

  it('pauses and resumes one plan from Coverage: paused in the plans list and on its pending task', async () => {
    const { createPlan } = await gate.ok(
      `mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } tasks { id } } }`,
      { input: { searchParams: region11, from: '01.03.2024', to: '01.03.2024', window: 'day' } },
    );
    const planId = createPlan.plan.id;
    const planTaskId = createPlan.tasks[0].id;
    await page.reload();
    await page.locator('#live[data-state=live]').waitFor();
    await page.locator('#coverage-tab').click();
    await page.locator('#plans tbody tr').first().click();
    await page.locator(`.plan-controls[data-id="${planId}"] .pause-toggle`, { hasText: 'Pause plan' }).click();
    await page.locator(`.plan-controls[data-id="${planId}"] .paused-badge`).waitFor();
    await page.locator('#plans tbody tr .paused-badge').waitFor();
    await page.locator('#activity-plan option', { hasText: '· paused' }).waitFor({ state: 'attached' });
    expect((await prisma.plan.findUniqueOrThrow({ where: { id: planId } })).paused).toBe(true);
    await page.screenshot({ path: `${OUTPUT}/dashboard-plan-paused.png`, fullPage: true });

    await page.locator('.tabs [data-view=tasks]').click();
    const row = page.locator(`#tasks tr[data-id="${planTaskId}"]`);
    await row.locator('.paused-badge', { hasText: 'plan paused' }).waitFor();
    await page.screenshot({ path: `${OUTPUT}/dashboard-plan-paused-task.png` });

    await page.locator('#coverage-tab').click();
    await page.locator(`.plan-controls[data-id="${planId}"] .pause-toggle`, { hasText: 'Resume plan' }).click();
    await page.locator(`.plan-controls[data-id="${planId}"] .pause-toggle`, { hasText: 'Pause plan' }).waitFor();
    expect(await page.locator(`.plan-controls[data-id="${planId}"] .paused-badge`).count()).toBe(0);
    expect((await prisma.plan.findUniqueOrThrow({ where: { id: planId } })).paused).toBe(false);
    await page.locator('.tabs [data-view=tasks]').click();
    await row.waitFor();
    await row.locator('.paused-badge').waitFor({ state: 'detached' });
  });

  it('pauses and resumes one follow from the Follows list', async () => {
    const follow = await createFollow(SYSTEM_ACTOR, {
      searchParams: { CourtRegion: '14' },
      startDate: '2025-06-01',
      schedule: '6h',
    });
    await page.locator('.tabs [data-view=follows]').click();
    const row = page.locator(`#follow-list tr[data-id="${follow.id}"]`);
    await row.locator('.pause-toggle', { hasText: 'Pause follow' }).click();
    await row.locator('.paused-badge').waitFor();
    expect((await prisma.follow.findUniqueOrThrow({ where: { id: follow.id } })).paused).toBe(true);
    await page.screenshot({ path: `${OUTPUT}/dashboard-follow-paused.png` });
    await row.locator('.pause-toggle', { hasText: 'Resume follow' }).click();
    await row.locator('.pause-toggle', { hasText: 'Pause follow' }).waitFor();
    expect(await row.locator('.paused-badge').count()).toBe(0);
    expect((await prisma.follow.findUniqueOrThrow({ where: { id: follow.id } })).paused).toBe(false);
  });

  it('cancels every task of one worker created in a range: count, confirmation, one request', async () => {
    const clientId = (await gate.ok(REGISTER, { name: 'w-bulk' })).registerClient.id;
    await prisma.task.updateMany({ data: { priority: -1 } }); // earlier tests' tasks go after these
    await gate.ok(CREATE_TASKS, { tasks: Array.from({ length: 3 }, () => ({ searchParams: region11, priority: 5 })) });
    const held = [
      (await gate.ok(CLAIM, { clientId })).claimTask.task.id,
      (await gate.ok(CLAIM, { clientId })).claimTask.task.id,
    ];
    // one of the worker's tasks was created two days ago: outside the range
    await prisma.task.update({ where: { id: held[0] }, data: { createdAt: new Date(Date.now() - 2 * 86_400_000) } });
    await page.reload();
    await page.locator('#live[data-state=live]').waitFor();
    await page.locator('#f-worker').selectOption({ label: 'w-bulk' });
    const local = (at: Date) => new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.locator('#f-created-from').fill(local(new Date(Date.now() - 86_400_000)));
    await page.locator('#f-created-from').dispatchEvent('change');
    await page.locator(`#tasks tr[data-id="${held[0]}"]`).waitFor({ state: 'detached' });
    await page.locator(`#tasks tr[data-id="${held[1]}"]`).waitFor();
    expect(await page.locator('#tasks tbody tr').count()).toBe(1);

    const bulkRequests: string[] = [];
    page.on('request', (r) => {
      const body = r.postData() ?? '';
      if (body.includes('bulkTasks(')) bulkRequests.push(body);
    });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => void dialogs.push(dialog.message()));
    await page.locator('#bulk-action').selectOption('CANCEL');
    await page.locator('#bulk-apply').click();
    await page.locator('#bulk-result', { hasText: 'Cancelled 1 of 1 task(s).' }).waitFor();
    expect(dialogs).toEqual(['Cancel 1 matching task(s)?']);
    expect(bulkRequests).toHaveLength(1);
    expect(JSON.parse(bulkRequests[0]).variables.input.filter).toMatchObject({
      clientId,
      createdAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const statuses = await prisma.task.findMany({ where: { id: { in: held } }, select: { id: true, status: true } });
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({
      [held[0]]: 'CLAIMED',
      [held[1]]: 'CANCELLED',
    });
    await page.screenshot({ path: `${OUTPUT}/dashboard-bulk-worker-range.png` });
    await page.locator('#f-clear').click();
  });

  it('a worker that says goodbye is shown stopped at once, live', async () => {
    const clientId = (await gate.ok(REGISTER, { name: 'w-goodbye' })).registerClient.id;
    await page.locator('.tabs [data-view=workers]').click();
    const row = page.locator(`#workers tr[data-id="${clientId}"]`);
    await row.locator('.badge', { hasText: 'active' }).waitFor();
    await gate.ok(`mutation($id: ID!) { unregisterClient(id: $id) { status } }`, { id: clientId });
    await row.locator('.badge', { hasText: 'stopped' }).waitFor();
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1); // no reload
    await page.screenshot({ path: `${OUTPUT}/dashboard-worker-stopped.png` });
  });

  it('documents/min is the last 5 full minutes of the rollup, and says so', async () => {
    await expect.poll(() => page.locator('[data-tile=dpm] span').textContent()).toBe('documents / min · last 5 min');
    // 35 documents two minutes ago (the rollup the trigger keeps) → 7 a minute over the last five
    await prisma.$executeRaw`INSERT INTO activity_minutes (bucket, client_id, plan_id, documents)
      VALUES (date_trunc('minute', now()) - interval '2 minutes', gen_random_uuid(), gen_random_uuid(), 35)`;
    await gate.ok(CREATE_TASKS, { tasks: [{ searchParams: region11 }] }); // a task event: statsUpdated pushes
    await page.locator('#t-dpm', { hasText: /^7\.0$/ }).waitFor();
    await page.screenshot({
      path: `${OUTPUT}/dashboard-docs-per-minute.png`,
      clip: { x: 0, y: 0, width: 1440, height: 200 },
    });
  });

  it('"… ago" texts tick on the page without any new event', async () => {
    await page.locator('.tabs [data-view=tasks]').click();
    await page.locator('#tasks tbody tr .ago').first().waitFor();
    // The same element must change (a row redrawn by an event would be a new one): the clock ticks it in place.
    const before = await page.evaluate(() => {
      const el = document.querySelector('#tasks tbody tr .ago') as HTMLElement & { marked?: boolean };
      el.marked = true;
      return el.textContent;
    });
    await page.waitForFunction(
      (text) => {
        const el = document.querySelector('#tasks tbody tr .ago') as (HTMLElement & { marked?: boolean }) | null;
        return el?.marked === true && el.textContent !== text;
      },
      before,
      { timeout: WAIT_FLOOR_MS },
    );
    expect(pageErrors).toEqual([]);
  });
});
