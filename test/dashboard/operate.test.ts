// Operating at scale in headless Chromium against a real gate on PostgreSQL: pausing the queue, retrying every
// task matching the filter (count, confirmation), the Failed documents view and its retry, and the worker log in
// the task detail. Screenshots go to test-output/.
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH, launchChromium } from '../../client/registry/transports/browser.ts';
import { prisma } from '../../server/db/database.ts';
import { CLAIM, CREATE_TASKS, REGISTER, region11 } from '../gate/operations.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { eventually } from '../worker/support.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
const haveChromium = existsSync(chromiumPath);
const OUTPUT = 'test-output';
const PROGRESS = `mutation($input: ReportProgressInput!) { reportProgress(input: $input) { leaseExpiresAt } }`;

describe.skipIf(!haveChromium)('dashboard: pause, bulk actions, failed documents (headless Chromium)', () => {
  let browser: Browser;
  let gate: TestGate;
  let page: Page;
  let runningId: string;
  const deadIds: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    [browser, gate] = await Promise.all([launchChromium(chromiumPath), startTestGate('postgres')]);
    const clientId = (await gate.ok(REGISTER, { name: 'w-operate' })).registerClient.id;
    const created = await gate.ok(CREATE_TASKS, {
      tasks: Array.from({ length: 4 }, () => ({ searchParams: region11 })),
    });
    const lease = (await gate.ok(CLAIM, { clientId })).claimTask;
    runningId = lease.task.id;
    for (const t of created.createTasks) if (t.id !== runningId) deadIds.push(t.id);
    await prisma.task.updateMany({
      where: { id: { in: deadIds } },
      data: { status: 'DEAD', lastErrorClass: 'NETWORK', lastError: 'timeout', attempts: 3 },
    });
    await gate.ok(PROGRESS, {
      input: {
        taskId: runningId,
        leaseToken: lease.leaseToken,
        documentsDownloaded: 3,
        documentsFailed: 2,
        failedDocuments: [
          { documentId: '700000001', errorClass: 'PARSE', message: 'no decision text', courtName: 'Київський суд' },
          { documentId: '700000002', errorClass: 'REGISTRY_ERROR', message: 'HTTP 404' },
        ],
        logLines: ['12:00:01 INFO  search found 5', '12:00:03 WARN  document failed documentId=700000001'],
      },
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(WAIT_FLOOR_MS); // a wait for what must happen: the floor of every condition wait
    page.on('dialog', (dialog) => void dialog.accept()); // the confirmations say yes
    await page.goto(`${gate.url}/dashboard`);
    await page.locator('#login-key').fill(ADMIN_KEY);
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#live[data-state=live]').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await gate?.stop();
  });

  it('pauses and resumes the whole queue; shown as paused', async () => {
    await page.locator('#queue-toggle', { hasText: 'Pause queue' }).click();
    await page.locator('#queue-paused').waitFor({ state: 'visible' });
    expect((await prisma.gateState.findUniqueOrThrow({ where: { id: 1 } })).queuePaused).toBe(true);
    await page.screenshot({ path: `${OUTPUT}/dashboard-queue-paused.png` });
    await page.locator('#queue-toggle', { hasText: 'Resume queue' }).click();
    await page.locator('#queue-paused').waitFor({ state: 'hidden' });
    expect((await prisma.gateState.findUniqueOrThrow({ where: { id: 1 } })).queuePaused).toBe(false);
  });

  it('retries every task matching the filter after the count and a confirmation', async () => {
    await page.locator('#status-filter label.s-dead').click();
    await page.locator('#tasks tbody tr').first().waitFor();
    await page.locator('#bulk-action').selectOption('RETRY');
    await page.locator('#bulk-apply').click();
    await page.locator('#bulk-result', { hasText: 'Retried 3 of 3 task(s).' }).waitFor();
    expect(await prisma.task.count({ where: { id: { in: deadIds }, status: 'PENDING' } })).toBe(3);
    await page.screenshot({ path: `${OUTPUT}/dashboard-bulk-retry.png` });
  });

  it('lists failed documents with reasons; one is retried as a small task', async () => {
    await page.locator('.tabs [data-view=failed]').click();
    await page.locator('#failed tbody tr[data-id="700000001"]').waitFor();
    expect(await page.locator('#failed tbody tr').count()).toBe(2);
    expect(await page.locator('#failed tbody tr[data-id="700000001"]').textContent()).toContain('no decision text');
    await page.screenshot({ path: `${OUTPUT}/dashboard-failed-documents.png`, fullPage: true });
    await page.locator('#failed tbody tr[data-id="700000002"] .retry-one').click();
    await page.locator('#failed-result', { hasText: '1 retry task(s) created for 1 document(s).' }).waitFor();
    const row = await prisma.failedDocument.findUniqueOrThrow({ where: { documentId: '700000002' } });
    expect(await prisma.task.findUniqueOrThrow({ where: { id: row.retryTaskId! } })).toMatchObject({
      searchParams: { RegNumber: '700000002' },
    });
    await page.locator('#failed tbody tr[data-id="700000002"]', { hasText: 'retry queued' }).waitFor();
  });

  it('drains a worker from the Workers view; shown as draining', async () => {
    await page.locator('.tabs [data-view=workers]').click();
    const worker = page.locator('#workers tbody tr', { hasText: 'w-operate' });
    await worker.locator('button.drain', { hasText: 'Drain' }).click();
    await worker.locator('.paused-badge', { hasText: 'draining' }).waitFor();
    expect((await prisma.client.findFirstOrThrow({ where: { name: 'w-operate' } })).paused).toBe(true);
    await page.screenshot({ path: `${OUTPUT}/dashboard-worker-draining.png` });
    await worker.locator('button.drain', { hasText: 'Resume' }).click();
    await worker.locator('.paused-badge').waitFor({ state: 'detached' });
    expect((await prisma.client.findFirstOrThrow({ where: { name: 'w-operate' } })).paused).toBe(false);
  });

  it('a read of the workers made before a drain does not undo it on the page', async () => {
    // Heartbeats over a minute old: the page reads the workers again before it shows them as late. Here that read
    // is answered only after the drain, as on a busy box it can be; the page must still show the worker draining.
    for (const name of ['w-late', 'w-marker']) await gate.ok(REGISTER, { name });
    await prisma.client.updateMany({ data: { lastHeartbeatAt: new Date(Date.now() - 120_000) } });
    const late = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    late.setDefaultTimeout(WAIT_FLOOR_MS);
    let reads = 0;
    let answer!: () => void;
    const drained = new Promise<void>((resolve) => (answer = resolve));
    await late.route('**/graphql', async (route) => {
      if (!route.request().postData()?.includes('query Clients') || ++reads === 1) return route.fallback();
      const response = await route.fetch(); // the workers as they are now, before the drain
      const body = await response.json();
      for (const c of body.data.clients) if (c.name === 'w-marker') c.host = 'from-the-late-read';
      await drained;
      await route.fulfill({ response, json: body });
    });
    await late.goto(`${gate.url}/dashboard`);
    await late.locator('#login-key').fill(ADMIN_KEY);
    await late.locator('#login-form button[type=submit]').click();
    await late.locator('#live[data-state=live]').waitFor();
    await late.locator('.tabs [data-view=workers]').click();
    await eventually(() => reads === 2, WAIT_FLOOR_MS, 'the late check reading the workers');
    const worker = late.locator('#workers tbody tr', { hasText: 'w-late' });
    await worker.locator('button.drain', { hasText: 'Drain' }).click();
    await worker.locator('.paused-badge', { hasText: 'draining' }).waitFor();
    answer();
    await late.locator('#workers tbody tr', { hasText: 'from-the-late-read' }).waitFor(); // the read has landed
    expect(await worker.locator('.paused-badge', { hasText: 'draining' }).count()).toBe(1);
    await late.context().close();
  });

  it("shows the worker's log lines in the task detail", async () => {
    await page.locator('.tabs [data-view=tasks]').click();
    await page.locator('#status-filter label.s-dead').click();
    await page.locator(`#tasks tr[data-id="${runningId}"] .task-id`).click();
    const log = page.locator('#d-worker-log');
    await log.waitFor();
    expect(await log.textContent()).toBe(
      '12:00:01 INFO  search found 5\n12:00:03 WARN  document failed documentId=700000001',
    );
    await page.screenshot({ path: `${OUTPUT}/dashboard-worker-log.png` });
  });
});
