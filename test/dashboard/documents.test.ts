// The dashboard's Documents view in headless Chromium against a real gate holding the fixture decisions:
// search with word forms, snippets with highlighted words, filters, the reader with a link to the registry,
// the chart per month / region / form — registry text that looks like HTML stays text, and stored HTML is
// shown in a sandbox where its scripts and handlers never run.
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH, launchChromium } from '../../client/registry/transports/browser.ts';
import { addDocuments, fixtureDocuments, workerMetadata } from '../search/corpus.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
const haveChromium = existsSync(chromiumPath);
const OUTPUT = 'test-output';

/**
 * A decision whose text and metadata try to be markup (the page must show them as text), and whose stored HTML
 * carries a script and an onerror handler (the reader shows that HTML, and neither may run).
 */
const HOSTILE = {
  documentId: '900000009',
  text: 'Апеляційна скарга <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> залишена без руху.',
  html:
    '<div id="hostile"><p>Апеляційна скарга залишена без руху.</p>' +
    '<img src="missing.png" onerror="document.body.dataset.onerror=\'ran\';parent.__pwned=4">' +
    '<script>document.body.dataset.script="ran";parent.__pwned=5</script></div>',
  metadata: {
    ...workerMetadata('13801766'),
    judge: '<b onmouseover="window.__pwned=3">Суддя</b>',
    caseNumber: '9/9<i>',
    adoptedOn: { raw: '10.05.2006', iso: '2006-05-10' },
  },
};

describe.skipIf(!haveChromium)('dashboard documents view (headless Chromium)', () => {
  let browser: Browser;
  let gate: TestGate;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    gate = await startTestGate('postgres');
    await addDocuments(gate, [...fixtureDocuments(), HOSTILE]);
    browser = await launchChromium(chromiumPath);
    const context = await browser.newContext({ viewport: { width: 1440, height: 1100 } });
    page = await context.newPage();
    page.setDefaultTimeout(WAIT_FLOOR_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (r) => r.status() >= 500 && pageErrors.push(`${r.status()} from ${r.url()}`));
    await page.goto(`${gate.url}/dashboard`);
    await page.locator('#login-key').fill(ADMIN_KEY);
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#live[data-state=live]').waitFor();
    await page.locator('.tabs [data-view=documents]').click();
    await page.locator('#doc-hits li').first().waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await gate?.stop();
  });

  const hitIds = (p: Page) =>
    p.locator('#doc-hits li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.id));

  it('lists every decision newest first, with a chart per month, and region/form choices from the corpus', async () => {
    expect(await hitIds(page)).toEqual(['101476997', '900000009', '13801766', '107751396', '107872773']);
    expect(await page.locator('#doc-count').textContent()).toBe('5 of 5');
    expect(await page.locator('#doc-chart svg rect.bar').count()).toBe(5); // five distinct months
    expect(await page.locator('#doc-region option').allTextContents()).toEqual(['any', 'Київська область (5)']);
    expect(await page.locator('#doc-form-select option').allTextContents()).toEqual([
      'any',
      'Ухвала (3)',
      'Рішення (2)',
    ]);
  });

  it('finds word forms and highlights them; filters narrow; the reader shows the decision and links the registry', async () => {
    await page.locator('#doc-query').fill('апеляційної скарги');
    await page.locator('#doc-form button[type=submit]').click();
    await page.waitForFunction(() => document.querySelectorAll('#doc-hits li').length === 2);
    expect(await hitIds(page)).toEqual(expect.arrayContaining(['13801766', '900000009']));
    const marks = await page.locator('#doc-hits li[data-id="13801766"] .snippet mark').allTextContents();
    expect(marks).toEqual(expect.arrayContaining(['апеляційна', 'скарга']));

    await page.locator('#doc-judge').fill('Рева О. І.');
    await page.locator('#doc-form button[type=submit]').click();
    await page.waitForFunction(() => document.querySelectorAll('#doc-hits li').length === 1);
    await page.locator('#doc-hits li[data-id="13801766"]').click();
    await page.locator('#doc-reader:not([hidden])').waitFor();
    expect(await page.locator('#doc-reader-title').textContent()).toBe('Ухвала № 2-354/2006');
    expect(await page.locator('#doc-reader-link').getAttribute('href')).toBe(
      'https://reyestr.court.gov.ua/Review/13801766',
    );
    expect(await page.locator('#doc-reader-link').getAttribute('rel')).toBe('noopener noreferrer');
    expect(await page.locator('#doc-facts').textContent()).toContain('Рева О. І.');
    const frame = page.locator('#doc-body iframe.decision');
    if ((await frame.count()) > 0) expect(await frame.getAttribute('sandbox')).toBe('');
    await page.locator('#doc-chart-by').selectOption('FORM');
    await page.locator('#doc-chart svg rect.bar').first().waitFor();
    await page.screenshot({ path: `${OUTPUT}/dashboard-documents.png`, fullPage: true });
  });

  it('shows registry text that looks like markup as text, and bad input as a message', async () => {
    await page.locator('#doc-clear').click();
    await page.locator('#doc-query').fill('залишена без руху');
    await page.locator('#doc-form button[type=submit]').click();
    await page.waitForFunction(() => document.querySelectorAll('#doc-hits li').length === 1);
    const hit = page.locator('#doc-hits li[data-id="900000009"]');
    expect(await hit.locator('.snippet').textContent()).toContain('<script>window.__pwned=2</script>');
    expect(await hit.locator('img, script, [onmouseover], [onerror]').count()).toBe(0);
    expect(await hit.locator('.hit-court').textContent()).toContain('<b onmouseover');
    await hit.click();
    await page.locator('#doc-reader-title', { hasText: '9/9<i>' }).waitFor();
    // The reader shows the stored HTML, in a frame where neither its script nor its onerror runs.
    expect(await page.locator('#doc-body iframe.decision').getAttribute('sandbox')).toBe('');
    const decision = page.frameLocator('#doc-body iframe.decision');
    expect(await decision.locator('#hostile p').textContent()).toBe('Апеляційна скарга залишена без руху.');
    // The image has failed to load (complete) before we look for what its onerror would have done.
    await decision
      .locator('#hostile img')
      .evaluate((img: HTMLImageElement) =>
        img.complete ? true : new Promise((settled) => img.addEventListener('error', settled, { once: true })),
      );
    expect(await decision.locator('body').getAttribute('data-onerror')).toBeNull();
    expect(await decision.locator('body').getAttribute('data-script')).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    await page.locator('#doc-query').fill('!!! ...');
    await page.locator('#doc-form button[type=submit]').click();
    await page.locator('#doc-error:not([hidden])').waitFor();
    expect(await page.locator('#doc-error').textContent()).toMatch(/no words to search for/);
    expect(pageErrors).toEqual([]);
  });
});
