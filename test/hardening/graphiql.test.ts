// GraphiQL is a small page plus cacheable, compressed files of its own (not one 9 MB inline page per request):
// ETag → 304, brotli/gzip by Accept-Encoding, content-hashed URLs cached for a year; and it still works offline —
// a real Chromium renders it, runs a query, and asks nothing of any other origin.
import { existsSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH, launchChromium } from '../../client/registry/transports/browser.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';

let t: TestGate;
let page: string;
let assets: string[];

beforeAll(async () => {
  t = await startTestGate('postgres');
  page = await (await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } })).text();
  assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
});
afterAll(() => t?.stop());

describe('the GraphiQL page', () => {
  it('is small, names its assets by content hash on this origin, and revalidates by ETag', async () => {
    expect(page.length).toBeLessThan(2000);
    expect(page).toContain('GraphiQL');
    expect(assets.length).toBe(4); // icon, CSS, start script, bundle
    for (const url of assets) expect(url).toMatch(/^\/graphql\/graphiql\/[\w-]+\.[\w-]{16}\.\w+$/);

    const first = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const etag = first.headers.get('etag')!;
    const again = await fetch(t.graphqlUrl, { headers: { accept: 'text/html', 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('is not served to API clients: a GET without text/html is still GraphQL', async () => {
    const res = await fetch(`${t.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'x-api-key': ADMIN_KEY },
    });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('its assets', () => {
  const bundleUrl = () => `${t.url}${assets.find((a) => a.endsWith('.js') && a.includes('/graphiql.'))}`;

  it('brotli when accepted, else gzip, else plain — the same bytes; cached for a year', async () => {
    // fetch() would decode and drop content-encoding: ask with node's own http to see the bytes sent
    const { request } = await import('node:http');
    const get = (encoding: string) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
        (resolve, reject) => {
          request(bundleUrl(), { headers: { 'accept-encoding': encoding } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
            );
          })
            .on('error', reject)
            .end();
        },
      );
    const br = await get('gzip, deflate, br');
    const gz = await get('gzip;q=1, br;q=0');
    const plain = await get('identity');
    expect([br.headers['content-encoding'], gz.headers['content-encoding'], plain.headers['content-encoding']]).toEqual(
      ['br', 'gzip', undefined],
    );
    expect(plain.body.length).toBeGreaterThan(4_000_000);
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(gz.body.length).toBeLessThan(plain.body.length / 3);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    for (const r of [br, gz, plain]) {
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(r.headers.vary).toBe('accept-encoding');
      expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    }
  });

  it("keeps an idle connection open past nginx's upstream keepalive (60 s), not Node's 5 s", async () => {
    // A client still reading the bundle when a 5 s idle timer ran out (it starts once the answer is handed to the
    // kernel) sent its next request on a connection the gate had just closed: "other side closed" on a busy box.
    const { request } = await import('node:http');
    const keepAlive = await new Promise<string | undefined>((resolve, reject) =>
      request(bundleUrl(), { method: 'HEAD' }, (res) => resolve(String(res.resume().headers['keep-alive'])))
        .on('error', reject)
        .end(),
    );
    expect(Number(/timeout=(\d+)/.exec(keepAlive ?? '')?.[1])).toBeGreaterThan(60);
  });

  it('ETag → 304 without a body; an unknown asset is a JSON 404', async () => {
    const first = await fetch(bundleUrl());
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const again = await fetch(bundleUrl(), { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    const missing = await fetch(`${t.url}/graphql/graphiql/nothing.0000000000000000.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'Not Found' });
  });
});

const chromiumPath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

/** How long the page may take to show something: a safety net on a busy box, not a measure. */
const WAIT = { timeout: WAIT_FLOOR_MS };

describe.skipIf(!existsSync(chromiumPath))('in a browser (headless Chromium)', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    browser = await launchChromium(chromiumPath); // one browser for the file, a context per test
  });
  afterAll(() => browser?.close());

  it('renders, runs a query against the gate, and loads nothing from another origin', async () => {
    const context = await browser.newContext();
    try {
      const elsewhere: string[] = [];
      context.on('request', (r) => {
        if (!r.url().startsWith(t.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:'))
          elsewhere.push(r.url());
      });
      const tab = await context.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.goto(`${t.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`);
      await tab.locator('.graphiql-container').first().waitFor(WAIT);
      // the query comes in the URL (?query=), the key goes into the headers editor; run it
      await tab.getByText('Headers', { exact: true }).click();
      await tab.locator('.graphiql-editor-tool .monaco-editor').last().click();
      await tab.keyboard.insertText(JSON.stringify({ 'x-api-key': ADMIN_KEY }));
      const answer = tab.waitForResponse(
        (r) => r.url() === t.graphqlUrl && (r.request().postData() ?? '').includes('__typename'),
      );
      await tab.locator('.graphiql-execute-button').click();
      expect((await answer).status()).toBe(200);
      await tab.locator('.graphiql-response', { hasText: '"Query"' }).waitFor(WAIT);
      expect(errors).toEqual([]);
      expect(elsewhere).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('opens with example tabs; a key typed once serves every tab and the live subscription (WebSocket)', async () => {
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      const sockets: string[] = [];
      tab.on('websocket', (ws) => ws.on('framesent', (frame) => sockets.push(String(frame.payload))));
      const openTab = async (name: string) => {
        // a click event alone: the tabs can be dragged to reorder, and a pointer's press-move-release may count as one
        await tab.locator('.graphiql-tab-button', { hasText: name }).dispatchEvent('click');
        await tab.locator('.graphiql-tab-active', { hasText: name }).waitFor(WAIT);
      };
      await tab.goto(t.graphqlUrl);
      await tab.locator('.graphiql-container').first().waitFor(WAIT);
      for (const name of ['Overview', 'Register', 'LiveTaskEvents']) {
        await tab.locator('.graphiql-tab', { hasText: name }).first().waitFor(WAIT);
      }
      // The first tab: its Headers pane holds {"X-API-Key": ""}; the key goes there, once.
      await tab.getByText('Headers', { exact: true }).click();
      await tab.locator('.graphiql-editor-tool .monaco-editor').last().click();
      await tab.keyboard.press('ControlOrMeta+a');
      await tab.keyboard.insertText(JSON.stringify({ 'X-API-Key': ADMIN_KEY }));
      // README's step 2: re-fetch the schema with it (introspection needs a key).
      const introspected = tab.waitForResponse(
        (r) => r.url() === t.graphqlUrl && (r.request().postData() ?? '').includes('__schema'),
      );
      await tab.getByLabel('Re-fetch GraphQL schema').click();
      expect((await introspected).status()).toBe(200);

      // Queries in a tab without headers use the same key over HTTP.
      await openTab('Register');
      const registered = tab.waitForResponse(
        (r) => r.url() === t.graphqlUrl && (r.request().postData() ?? '').includes('registerClient'),
      );
      // The tab holds several operations: GraphiQL asks which one to run — once its editor has parsed them. A
      // click that comes before (a busy machine: seen in CI) opens no menu, so click again until the menu shows.
      for (const deadline = Date.now() + WAIT_FLOOR_MS; ; ) {
        await tab.locator('.graphiql-execute-button').click();
        const chosen = await tab
          .getByRole('menuitem', { name: 'Register' })
          .click({ timeout: 5_000 })
          .then(() => true)
          .catch((error) => {
            if (Date.now() > deadline) throw error;
            return false;
          });
        if (chosen) break;
      }
      const answer = await registered;
      expect(answer.request().headers()['x-api-key']).toBe(ADMIN_KEY);
      expect(JSON.stringify(await answer.json())).toMatch(/"registerClient":\{"id":"[0-9a-f-]{36}"\}/);
      // The subscription tab has no headers of its own: the key typed in the first tab opens the WebSocket.
      await openTab('LiveTaskEvents');
      // Running, the button says "Stop query": click "Execute" until it does (a click before the editor has parsed
      // the operation runs nothing).
      for (const deadline = Date.now() + WAIT_FLOOR_MS; ; ) {
        const button = tab.locator('.graphiql-execute-button');
        if ((await button.getAttribute('aria-label'))?.startsWith('Execute')) await button.click();
        const running = await tab
          .locator('.graphiql-execute-button[aria-label^="Stop"]')
          .waitFor({ timeout: 5_000 })
          .then(
            () => true,
            () => false,
          );
        if (running) break;
        if (Date.now() > deadline) throw new Error('the LiveTaskEvents subscription did not start');
      }
      await expect
        .poll(() => sockets.some((f) => f.includes('"connection_init"') && f.includes(ADMIN_KEY)), WAIT)
        .toBe(true);
      await expect
        .poll(() => sockets.some((f) => f.includes('"subscribe"') && f.includes('LiveTaskEvents')), WAIT)
        .toBe(true);
      const created = await t.ok(
        `mutation { createTask(input: { searchParams: { CourtRegion: "11" }, maxDocuments: 5 }) { id } }`,
      );
      await tab.locator('.graphiql-response', { hasText: created.createTask.id }).waitFor(WAIT);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
