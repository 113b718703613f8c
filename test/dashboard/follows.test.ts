// The dashboard's Follows view in headless Chromium against a real gate: the list (schedule, next run, the
// last run's result, gaps), a follow's calendar a cell a day coloured by state, its gaps with their reasons
// (registry text stays text) and its runs — and a new run appears live, without a reload.
// How windows come to be complete or gaps is tested in test/operator/follow*.test.ts; here the calendar's
// rows are set to those states directly, as a settled run leaves them.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../client/registry/transports/browser.ts';
import { prisma } from '../../server/db/database.ts';
import { SYSTEM_ACTOR } from '../../server/services/actor.ts';
import { runFollow } from '../../server/services/follow-runs.ts';
import { createFollow } from '../../server/services/follows.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { chromiumPath, haveChromium, OUTPUT, signedInDashboard } from './support.ts';

const HOSTILE_REASON = '1 of 3 documents missing: <img src=x onerror="window.__pwned=1">';

describe.skipIf(!haveChromium)('dashboard follows view (headless Chromium)', () => {
  let browser: Browser;
  let gate: TestGate;
  let page: Page;
  let followId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    gate = await startTestGate('postgres');
    await gate.gate.scheduler.stop(); // runs here take their own clock (the scheduler would run the new follow at today's)
    const follow = await createFollow(SYSTEM_ACTOR, {
      searchParams: { CourtRegion: '11' },
      startDate: '2025-06-01',
      schedule: '6h',
      recountDays: 3,
      window: 'week',
    });
    followId = follow.id;
    // Run 1 ("today" 10.06): windows 01, 02..07 (a week), then the days 08, 09, 10.
    await runFollow(SYSTEM_ACTOR, followId, new Date('2025-06-10T12:00:00Z'));
    const settle = (dateFrom: string, data: Record<string, unknown>) =>
      prisma.followWindow.update({ where: { followId_dateFrom: { followId, dateFrom } }, data });
    await settle('2025-06-02', { state: 'COMPLETE', expected: 12, downloaded: 12 });
    await settle('2025-06-09', { state: 'GAP', expected: 3, downloaded: 2, repairs: 2, reason: HOSTILE_REASON });

    browser = await launchChromium(chromiumPath);
    page = await signedInDashboard(browser, gate, pageErrors);
    await page.locator('#follows-tab').click();
    await page.locator(`#follow-list tr[data-id="${followId}"]`).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await gate?.stop();
  });

  const row = () => page.locator(`#follow-list tr[data-id="${followId}"]`);

  it('lists the follow with its schedule, next run, last run and gaps', async () => {
    const cells = await row().locator('td').allTextContents();
    expect(cells[1]).toBe('CourtRegion=11');
    expect(cells[2]).toBe('2025-06-01');
    expect(cells[3]).toBe('6h');
    expect(cells[4]).toBe('1');
    expect(cells[5]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(cells[6]).toMatch(/^#1 .*5 window\(s\) planned · running$/);
    expect(cells[7]).toBe('14 / 15');
    expect(cells[8]).toBe('1');
    expect(await row().locator('td.has-gaps').count()).toBe(1);
  });

  it("shows the picked follow's calendar a cell a day, its gaps as text and its runs", async () => {
    await row().click();
    await page.locator('#follow-calendar tr[data-month="2025-06"]').waitFor();
    const states = await page
      .locator('#follow-calendar .day[data-date]')
      .evaluateAll((cells) =>
        cells.map((c) => `${(c as HTMLElement).dataset.date}:${(c as HTMLElement).dataset.state}`),
      );
    expect(states).toEqual([
      '2025-06-01:PLANNED',
      ...['02', '03', '04', '05', '06', '07'].map((d) => `2025-06-${d}:DOWNLOADED`),
      '2025-06-08:PLANNED',
      '2025-06-09:GAP',
      '2025-06-10:PLANNED',
    ]);
    expect(await page.locator('#follow-calendar tr[data-month="2025-06"] td').allTextContents()).toEqual([
      '',
      '15',
      '14',
      '1',
    ]);
    const gap = page.locator('#follow-gaps li');
    expect(await gap.textContent()).toBe(`2025-06-09 2 of 3 after 2 repair(s): ${HOSTILE_REASON}`);
    expect(await page.locator('#follow-gaps img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#follow-runs tbody tr').count()).toBe(1);
    await page.screenshot({ path: `${OUTPUT}/dashboard-follows.png`, fullPage: true });
  });

  it('shows a new run live, without a reload', async () => {
    await runFollow(SYSTEM_ACTOR, followId, new Date('2025-06-10T18:00:00Z'));
    await row().locator('td.runs', { hasText: '2' }).waitFor();
    await page.locator('#follow-runs tbody tr[data-round="2"]').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
