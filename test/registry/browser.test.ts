import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RegistrySession,
  isUnreadableRow,
  type CollectedRow,
  type RegistrySessionOptions,
} from '../../client/registry/session.ts';
import { DEFAULT_CHROMIUM_PATH, launchChromium } from '../../client/registry/transports/browser.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
const haveChromium = existsSync(chromiumPath);
if (!haveChromium)
  console.warn(`browser transport tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium)`);

describe.skipIf(!haveChromium)('browser transport (headless Chromium)', () => {
  let browser: Browser;
  let registry: FakeRegistry;
  const params = {
    CourtRegion: ['11', '27'],
    VRType: '3',
    RegDateBegin: '01.01.2020',
    RegDateEnd: '31.03.2020',
    SearchExpression: 'позов',
  };

  beforeAll(async () => {
    browser = await launchChromium(chromiumPath); // one browser for every session of this file
    registry = await startFakeRegistry();
  });
  afterAll(async () => {
    await browser?.close();
    await registry?.close();
  });

  async function collect(options: RegistrySessionOptions) {
    const session = await RegistrySession.open({
      baseUrl: registry.url,
      browser,
      politeness: { minDelayMs: 0 },
      ...options,
    });
    try {
      const summary = await session.search(params);
      const rows: CollectedRow[] = [];
      for await (const row of session.collectRows({ startPage: 2, maxDocuments: 40 }))
        if (!isUnreadableRow(row)) rows.push(row);
      return { summary, rows, session };
    } finally {
      await session.close();
    }
  }

  it('fills and submits the real form and walks pages, giving the same rows as plain HTTP', async () => {
    const overHttp = await collect({ transport: 'http' });
    registry.resetLog();
    const inBrowser = await collect({ transport: 'browser' });
    expect(inBrowser.summary.transport).toBe('browser');
    expect(overHttp.summary.total).toBeGreaterThan(100);
    expect(inBrowser.summary).toEqual({ ...overHttp.summary, transport: 'browser' });
    expect(inBrowser.rows).toHaveLength(40);
    expect(inBrowser.rows).toEqual(overHttp.rows);
    // The browser posted the JS-rendered form's checkbox names; only registry pages were loaded.
    expect(
      registry.requestLog.filter((entry) => entry.route !== 'other').map((entry) => `${entry.method} ${entry.path}`),
    ).toEqual(['GET /', 'POST /', 'GET /Page/2', 'GET /Page/3']);
  });

  it("falls back to the browser when a scripted search gets the error page, then fetches decisions over HTTP with the browser's cookies", async () => {
    const strict = await startFakeRegistry({ acceptMultiSelectNaming: 'brackets' });
    const session = await RegistrySession.open({
      baseUrl: strict.url,
      browser,
      multiSelectNaming: 'plain',
      politeness: { minDelayMs: 0 },
    });
    try {
      const summary = await session.search(params);
      expect(summary.transport).toBe('browser');
      expect(summary.firstPage).toHaveLength(25);
      const decision = await session.fetchDecision(summary.firstPage[0].documentId);
      expect(decision.metadata.caseNumber).toBe(summary.firstPage[0].caseNumber);
      const log = strict.requestLog.filter((entry) => entry.route !== 'other');
      expect(log.map((entry) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual([
        'GET / 200',
        'POST / 200', // HTTP: refused naming → error page
        'GET / 200',
        'POST / 200', // browser
        `GET /Review/${decision.documentId} 200`, // HTTP again
      ]);
      const browserSearch = log[3];
      expect(log[4].session).toBe(browserSearch.session);
      expect(strict.searches.get(browserSearch.session!)).toMatchObject({ CourtRegion: ['11', '27'] });
    } finally {
      await session.close();
      await strict.close();
    }
  });
});
