// Shared by the dashboard's browser tests: where Chromium is, and a page signed in with the admin key.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_CHROMIUM_PATH } from '../../client/registry/transports/browser.ts';
import { ADMIN_KEY, type TestGate } from '../support/gate.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';

export const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
export const haveChromium = existsSync(chromiumPath);
/** Screenshots go here. */
export const OUTPUT = 'test-output';

/**
 * A new page (its own browser context) on the gate's dashboard, signed in with the admin key and live; page
 * errors and 5xx answers are added to `pageErrors`.
 */
export async function signedInDashboard(
  browser: Browser,
  gate: TestGate,
  pageErrors: string[],
  viewport = { width: 1440, height: 1000 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_FLOOR_MS); // waits for what must happen: the floor of every condition wait
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('response', (r) => r.status() >= 500 && pageErrors.push(`${r.status()} from ${r.url()}`));
  await page.goto(`${gate.url}/dashboard`);
  await page.locator('#login-key').fill(ADMIN_KEY);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#live[data-state=live]').waitFor();
  return page;
}
