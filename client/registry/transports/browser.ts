/**
 * Search in headless Chromium (Debian's `chromium` driven by playwright-core): opens the form, sets
 * every field the way a user would leave it, submits, and walks `/Page/<n>` in the same tab. One
 * browser per session, launched on first use. After each navigation the browser's cookies are copied
 * into the HTTP cookie jar, so decisions are still fetched over plain HTTP in the same site session.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import type { CookieJar } from 'tough-cookie';
import { RegistryError, SEARCH_FIELDS, type SearchParams } from '../../rules/index.ts';
import type { RegistryResponse } from '../http.ts';
import { errorForStatus, type HostPoliteness } from '../politeness.ts';
import type { SearchTransport } from './types.ts';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export interface BrowserTransportOptions {
  baseUrl: string;
  userAgent: string;
  politeness: HostPoliteness;
  jar: CookieJar;
  executablePath?: string;
  /** A browser to open this session's context in (shared by many sessions); closed by its owner. */
  browser?: Browser;
  timeoutMs?: number;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Every form field with the value to leave in it: the params' value, or the untouched form's. */
function formValues(params: SearchParams): Array<[name: string, values: string[], kind: string]> {
  return SEARCH_FIELDS.map((field) => {
    const value = params[field.name];
    const values =
      value === undefined ? (field.kind === 'select' ? [field.initial] : []) : Array.isArray(value) ? value : [value];
    return [field.name, values, field.kind];
  });
}

/**
 * Runs inside the page. Handles both shapes of the form: JS-rendered checkbox lists
 * (`input[name="X[]"]`) and raw selects; codes the page has no option for (court names are loaded
 * by the site on demand) are added the way the page would submit them.
 */
function fillSearchForm(fields: Array<[string, string[], string]>): string {
  const form = document.querySelector<HTMLFormElement>('form[action="/"]') ?? document.forms[0];
  if (!form) return 'no search form on the page';
  for (const [name, values, kind] of fields) {
    const boxes = Array.from(form.querySelectorAll<HTMLInputElement>(`input[type="checkbox"][name="${name}[]"]`));
    const select = form.querySelector<HTMLSelectElement>(`select[name="${name}"]`);
    const input = form.querySelector<HTMLInputElement>(`input[name="${name}"]`);
    if (kind === 'multi' && (boxes.length > 0 || !select)) {
      for (const box of boxes) box.checked = values.includes(box.value);
      for (const value of values.filter((v) => !boxes.some((box) => box.value === v))) {
        const hidden = document.createElement('input');
        Object.assign(hidden, { type: 'hidden', name: `${name}[]`, value });
        form.appendChild(hidden);
      }
    } else if (select) {
      for (const value of values.filter((v) => !Array.from(select.options).some((option) => option.value === v)))
        select.add(new Option(value, value));
      for (const option of Array.from(select.options)) option.selected = values.includes(option.value);
    } else if (input) input.value = values[0] ?? '';
    else if (values.length > 0) return `the form has no field ${name}`;
  }
  return '';
}

/** Runs inside the page: submits the way a user does (the submit button), or the form itself. */
function submitSearchForm(): void {
  const form = document.querySelector<HTMLFormElement>('form[action="/"]') ?? document.forms[0];
  const button = form.querySelector<HTMLInputElement>('input[type="submit"]');
  if (button) button.click();
  else form.submit();
}

/** Headless Debian Chromium; `executablePath` defaults to $CHROMIUM_PATH, else /usr/bin/chromium. */
export async function launchChromium(
  executablePath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH,
): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new RegistryError(
      'NETWORK',
      `the browser transport needs Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`,
      { reason: 'no-browser' },
    );
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

export class BrowserSearchTransport implements SearchTransport {
  readonly name = 'browser' as const;
  private browser: Browser | null = null;
  private context: BrowserContext | null = null;
  private page: Page | null = null;

  constructor(private readonly options: BrowserTransportOptions) {}

  private async openPage(): Promise<Page> {
    if (this.page) return this.page;
    if (!this.options.browser && !this.browser) this.browser = await launchChromium(this.options.executablePath);
    const browser = this.options.browser ?? this.browser!;
    this.context = await browser.newContext({
      userAgent: this.options.userAgent,
      locale: 'uk-UA',
      javaScriptEnabled: true,
    });
    this.context.setDefaultTimeout(this.options.timeoutMs ?? 60_000);
    const registryOrigin = new URL(this.options.baseUrl).origin;
    // Only the registry itself is contacted (no analytics, no images): politeness and privacy.
    await this.context.route('**/*', (route) => {
      const request = route.request();
      const blocked =
        new URL(request.url()).origin !== registryOrigin || ['image', 'media', 'font'].includes(request.resourceType());
      return blocked ? route.abort() : route.continue();
    });
    this.page = await this.context.newPage();
    return this.page;
  }

  /** One navigation as one politely scheduled request; HTTP failures become RegistryErrors. */
  private navigate(navigation: (page: Page) => Promise<Response | null>): Promise<RegistryResponse> {
    return this.options.politeness.run(async () => {
      const page = await this.openPage();
      let response: Response | null;
      try {
        response = await navigation(page);
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        throw new RegistryError('NETWORK', `browser navigation failed: ${(error as Error).message.split('\n')[0]}`, {
          reason: 'navigation-failed',
          url: page.url(),
          cause: error,
        });
      }
      const status = response?.status() ?? 200;
      const failure = errorForStatus(status, page.url(), (await response?.headerValue('retry-after')) ?? null);
      if (failure) throw failure;
      await this.copyCookiesToJar();
      return { url: page.url(), status, html: await page.content() };
    });
  }

  private async copyCookiesToJar(): Promise<void> {
    for (const cookie of await this.context!.cookies(this.options.baseUrl)) {
      this.options.jar.setCookieSync(`${cookie.name}=${cookie.value}; Path=${cookie.path}`, this.options.baseUrl, {
        ignoreError: true,
      });
    }
  }

  /** Two requests, each scheduled politely: the form page, then the form's submission. */
  async submitSearch(params: SearchParams): Promise<RegistryResponse> {
    const formUrl = `${this.options.baseUrl}/`;
    await this.navigate((page) => page.goto(formUrl, { waitUntil: 'domcontentloaded' }));
    return this.navigate(async (page) => {
      // A retried submission starts again from a fresh form.
      if (page.url() !== formUrl || (await page.$('#SearchExpression')) === null)
        await page.goto(formUrl, { waitUntil: 'domcontentloaded' });
      const problem = await page.evaluate(fillSearchForm, formValues(params));
      if (problem)
        throw new RegistryError('REGISTRY_ERROR', `cannot fill the registry's search form: ${problem}`, {
          reason: 'form-mismatch',
          url: page.url(),
        });
      const [response] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
        page.evaluate(submitSearchForm),
      ]);
      return response;
    });
  }

  resultsPage(pageNumber: number): Promise<RegistryResponse> {
    return this.navigate((page) =>
      page.goto(`${this.options.baseUrl}/Page/${pageNumber}`, { waitUntil: 'domcontentloaded' }),
    );
  }

  async close(): Promise<void> {
    await this.context?.close();
    await this.browser?.close();
    this.browser = this.context = this.page = null;
  }
}
