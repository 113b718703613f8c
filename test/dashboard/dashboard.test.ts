// The live dashboard in headless Chromium against a real gate: sign-in, live updates without reload,
// admin actions, read-only worker keys, auth off, and a clear message when the gate goes away.
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH, launchChromium } from '../../client/registry/transports/browser.ts';
import { CANCEL, CLAIM, COMPLETE, CREATE_TASK, PROGRESS, REGISTER, region11 } from '../gate/operations.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn(`dashboard tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium)`);

const OUTPUT = 'test-output';
// Live means without a reload (checked: __sameDocument) and without polling (the page never polls): it is
// waited for, not timed — how fast updates arrive is bench:events' measure, not a test's clock on a busy box. So its
// waits have the floor of every condition wait (test/support/deadlines.ts), as do the pages' other waits.
const LIVE_MS = WAIT_FLOOR_MS;

const REGISTER_DOCUMENTS = `mutation($input: RegisterDocumentsInput!) { registerDocuments(input: $input) { created } }`;
const CREATE_KEY = `mutation($name: String!) { createApiKey(input: { name: $name, role: WORKER }) { key } }`;

/** Signs in (when asked) and waits until the live connection is up. */
async function openDashboard(page: Page, gate: TestGate, key: string | null) {
  page.setDefaultTimeout(WAIT_FLOOR_MS);
  await page.goto(`${gate.url}/dashboard`);
  if (key) {
    await page.locator('#login-key').fill(key);
    await page.locator('#login-form button[type=submit]').click();
  }
  await page.locator('#live[data-state=live]').waitFor({ timeout: LIVE_MS });
}

const row = (page: Page, taskId: string) => page.locator(`#tasks tr[data-id="${taskId}"]`);

describe.skipIf(!haveChromium)('dashboard (headless Chromium)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium(chromiumPath); // one browser for the whole file
    mkdirSync(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('with auth on (PostgreSQL)', () => {
    let gate: TestGate;
    beforeAll(async () => {
      gate = await startTestGate('postgres');
    });
    afterAll(async () => {
      await gate?.stop();
    });

    it('serves its files from the gate, nothing else under /dashboard', async () => {
      const redirect = await fetch(`${gate.url}/dashboard`, { redirect: 'manual' });
      expect(redirect.status).toBe(308);
      expect(redirect.headers.get('location')).toBe('/dashboard/');
      const page = await fetch(`${gate.url}/dashboard/`);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('vendor/graphql-ws.js');
      const vendor = await fetch(`${gate.url}/dashboard/vendor/graphql-ws.js`);
      expect(vendor.status).toBe(200);
      expect(await vendor.text()).toContain('graphqlWs');
      expect((await fetch(`${gate.url}/dashboard/../package.json`)).status).toBe(404);
      expect((await fetch(`${gate.url}/dashboard/secret`)).status).toBe(404);
      expect((await fetch(`${gate.url}/dashboard/`, { method: 'POST' })).status).toBe(405);
    });

    it('asks for a key once, then follows tasks and workers live; cancel works from the page', async () => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('response', (r) => r.status() >= 500 && pageErrors.push(`${r.status()} from ${r.url()}`));
      page.setDefaultTimeout(WAIT_FLOOR_MS);
      try {
        await page.goto(`${gate.url}/dashboard`);
        await page.locator('#login').waitFor();
        await page.locator('#login-key').fill('not-a-key-0123456789');
        await page.locator('#login-form button[type=submit]').click();
        await page.locator('#login-error', { hasText: 'refused' }).waitFor();
        await openDashboard(page, gate, ADMIN_KEY);
        expect(await page.locator('#role').textContent()).toBe('admin');
        await page.evaluate(() => ((window as any).__sameDocument = true)); // gone if the page reloads

        // a new task appears within a second of its creation
        const { createTask: task } = await gate.ok(CREATE_TASK, {
          input: { searchParams: region11, maxDocuments: 20, priority: 5 },
        });
        await row(page, task.id).waitFor({ timeout: LIVE_MS });
        expect(await row(page, task.id).locator('.badge').textContent()).toBe('pending');

        // a worker registers, claims and reports progress: the workers table and the progress bar follow
        const { registerClient: worker } = await gate.ok(REGISTER, { name: 'kyiv-1' });
        await page.locator(`#workers tr[data-id="${worker.id}"]`).waitFor({ state: 'attached', timeout: LIVE_MS });
        const { claimTask: lease } = await gate.ok(CLAIM, { clientId: worker.id });
        expect(lease.task.id).toBe(task.id);
        await row(page, task.id).locator('.badge', { hasText: 'claimed' }).waitFor({ timeout: LIVE_MS });
        expect(await row(page, task.id).textContent()).toContain('kyiv-1');
        await gate.ok(PROGRESS, {
          input: { taskId: task.id, leaseToken: lease.leaseToken, documentsDownloaded: 8, totalExpected: 20 },
        });
        await row(page, task.id).getByText('8 / 20').waitFor({ timeout: LIVE_MS });
        expect(await row(page, task.id).locator('.badge').textContent()).toBe('running');

        // it downloads documents and completes
        const documents = Array.from({ length: 20 }, (_, i) => ({
          documentId: String(120_000_000 + i),
          sizeBytes: 40_000 + i,
        }));
        await gate.ok(REGISTER_DOCUMENTS, { input: { taskId: task.id, clientId: worker.id, documents } });
        await gate.ok(COMPLETE, {
          input: {
            taskId: task.id,
            leaseToken: lease.leaseToken,
            documentsDownloaded: 20,
            resultSummary: { pages: 1, found: 20 },
          },
        });
        await row(page, task.id).locator('.badge', { hasText: 'completed' }).waitFor({ timeout: LIVE_MS });
        // the tiles come from statsUpdated, which the gate sends at most once a second
        await page.locator('#t-completed', { hasText: '1' }).waitFor({ timeout: LIVE_MS });
        await page.locator('#t-workers', { hasText: '1' }).waitFor({ timeout: LIVE_MS });

        // cancel from the page
        const { createTask: other } = await gate.ok(CREATE_TASK, {
          input: { searchParams: { ...region11, CourtRegion: '14' } },
        });
        await row(page, other.id).locator('button[data-action=cancel]').click();
        await row(page, other.id).locator('.badge', { hasText: 'cancelled' }).waitFor({ timeout: LIVE_MS });
        expect((await gate.ok(`query($id: ID!) { task(id: $id) { status } }`, { id: other.id })).task.status).toBe(
          'CANCELLED',
        );
        // … and the retry button that replaced it puts it back
        await row(page, other.id).locator('button[data-action=retry]').click();
        await row(page, other.id).locator('.badge', { hasText: 'pending' }).waitFor({ timeout: LIVE_MS });

        // a few more tasks in other states, for the screenshot
        const more = await Promise.all(
          ['26', '14', '11'].map((region, i) =>
            gate.ok(CREATE_TASK, {
              input: {
                searchParams: { CourtRegion: region, INSType: '2', RegDateBegin: `0${i + 1}.01.2024` },
                priority: i,
              },
            }),
          ),
        );
        const { claimTask: second } = await gate.ok(CLAIM, { clientId: worker.id });
        await gate.ok(PROGRESS, {
          input: { taskId: second.task.id, leaseToken: second.leaseToken, documentsDownloaded: 37, totalExpected: 100 },
        });
        await row(page, second.task.id).getByText('37 / 100').waitFor({ timeout: LIVE_MS });
        await gate.ok(CANCEL, { id: more[0].createTask.id });
        expect(second.task.id).toBe(more[2].createTask.id); // the highest priority

        // filter by status
        await page.locator('#status-filter label', { hasText: 'completed' }).click();
        await page.waitForFunction(() => document.querySelectorAll('#tasks tbody tr').length === 1, null, {
          timeout: LIVE_MS,
        });
        expect(await row(page, task.id).count()).toBe(1);
        await page.locator('#f-clear').click();
        await page.waitForFunction(() => document.querySelectorAll('#tasks tbody tr').length === 5, null, {
          timeout: LIVE_MS,
        });

        // tiles catch up within statsUpdated's one-second pace
        await page.locator('#t-pending', { hasText: '2' }).waitFor({ timeout: LIVE_MS });
        await page.locator('#t-running', { hasText: '1' }).waitFor({ timeout: LIVE_MS });
        await page.screenshot({ path: `${OUTPUT}/dashboard.png`, fullPage: true });

        // task detail: event log, result summary, documents
        await row(page, task.id).locator('.task-id').click();
        const detail = page.locator('#detail');
        await detail.locator('.ev-completed').waitFor();
        for (const type of ['created', 'claimed', 'progress', 'completed'])
          expect(await detail.locator(`.ev-${type}`).count()).toBeGreaterThan(0);
        expect(await detail.textContent()).toContain('"found": 20');
        expect(await detail.locator('.docs li').count()).toBe(20);
        await page.screenshot({ path: `${OUTPUT}/dashboard-detail.png` });

        // the workers view
        await page.locator('.tabs [data-view=workers]').click();
        const workerRow = page.locator(`#workers tr[data-id="${worker.id}"]`);
        expect(await workerRow.textContent()).toContain(second.task.id.slice(0, 8));
        expect(await workerRow.locator('.late').count()).toBe(0);
        await page.locator('#d-close').click();
        await page.screenshot({ path: `${OUTPUT}/dashboard-workers.png`, fullPage: true });

        expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
        // the key is kept for the browser session: a reload does not ask again
        await page.reload();
        await page.locator('#live[data-state=live]').waitFor();
        expect(await page.locator('#login').isHidden()).toBe(true);
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('shows a worker key everything read-only', async () => {
      const { createApiKey } = await gate.ok(CREATE_KEY, { name: 'dashboard-reader' });
      const { createTask: task } = await gate.ok(CREATE_TASK, {
        input: { searchParams: { CourtRegion: '21', INSType: '1' } },
      });
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await openDashboard(page, gate, createApiKey.key);
        expect(await page.locator('#role').textContent()).toBe('worker · read-only');
        await row(page, task.id).waitFor();
        expect(await row(page, task.id).locator('button[data-action=cancel]').isVisible()).toBe(false);
        expect(await row(page, task.id).locator('input.priority').count()).toBe(0);
      } finally {
        await context.close();
      }
    });

    it('shows the coverage view exactly when the API has a coverage query, with plans to pick', async () => {
      const { __type } = await gate.ok(`{ __type(name: "Query") { fields { name } } }`);
      const hasCoverage = __type.fields.some((f: { name: string }) => f.name === 'coverage');
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      try {
        await openDashboard(page, gate, ADMIN_KEY);
        await page.locator('body[data-loaded]').waitFor({ state: 'attached' }); // first queries and introspection done
        expect(await page.locator('#coverage-tab').isVisible()).toBe(hasCoverage);
        if (!hasCoverage) return;

        const { createPlan } = await gate.ok(
          `mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }`,
          {
            input: {
              searchParams: { CourtRegion: '11', INSType: '1' },
              from: '2024-01-01',
              to: '2024-03-31',
              window: 'month',
            },
          },
        );
        await page.locator('#coverage-tab').click();
        const planRow = page.locator('#plans tbody tr', { hasText: createPlan.plan.id.slice(0, 8) });
        await planRow.click();
        await page.locator('#coverage-result h3', { hasText: 'windows' }).waitFor();
        expect(await page.locator('#coverage-result tbody tr').count()).toBe(3); // one window a month, being planned
        await page.screenshot({ path: `${OUTPUT}/dashboard-coverage.png`, fullPage: true });
      } finally {
        await context.close();
      }
    });
  });

  describe('a gate restart (PostgreSQL, auth off)', () => {
    it('reconnects by itself and shows what happened while it was away, without a reload', async () => {
      let gate = await startTestGate('postgres', { authEnabled: false, adminApiKey: undefined });
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      try {
        await openDashboard(page, gate, null);
        const before = (await gate.ok(CREATE_TASK, { input: { searchParams: region11 } }, null)).createTask.id;
        await row(page, before).waitFor();
        gate = await gate.restart(
          {},
          {
            keepPort: true,
            whileDown: async () => {
              await page.locator('#live[data-state=offline]').waitFor({ timeout: LIVE_MS });
            },
          },
        );
        const during = (await gate.ok(CREATE_TASK, { input: { searchParams: { CourtRegion: '14' } } }, null)).createTask
          .id;
        await page.locator('#live[data-state=live]').waitFor({ timeout: LIVE_MS });
        await row(page, during).waitFor({ timeout: LIVE_MS });
        expect(await page.locator('#banner').isHidden()).toBe(true);
        expect(await row(page, before).count()).toBe(1);
      } finally {
        await context.close();
        await gate.stop();
      }
    });
  });

  describe('with auth off (PGlite)', () => {
    it('opens without a key, and says so clearly when the gate goes away', async () => {
      const gate = await startTestGate('pglite', { authEnabled: false, adminApiKey: undefined });
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      let stopped = false;
      try {
        const { createTask: task } = await gate.ok(CREATE_TASK, { input: { searchParams: region11 } }, null);
        await openDashboard(page, gate, null);
        expect(await page.locator('#login').isHidden()).toBe(true);
        expect(await page.locator('#role').textContent()).toBe('auth off');
        expect(await page.locator('#sign-out').isHidden()).toBe(true);
        await row(page, task.id).waitFor();
        await page.locator('#t-pending', { hasText: '1' }).waitFor();

        await gate.stop();
        stopped = true;
        const banner = page.locator('#banner');
        await banner.waitFor({ timeout: LIVE_MS });
        expect(await banner.textContent()).toContain('The gate is not answering');
        expect(await page.locator('#live').getAttribute('data-state')).toBe('offline');
        await page.screenshot({ path: `${OUTPUT}/dashboard-gate-down.png` });
      } finally {
        await context.close();
        if (!stopped) await gate.stop();
      }
    });
  });
});
