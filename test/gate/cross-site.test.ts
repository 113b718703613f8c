// With ENABLE_AUTH=false a page on another site must not be able to write: a POST or a WebSocket upgrade whose
// Origin is neither the gate's own nor in CORS_ORIGINS is refused (403), REST bodies must be JSON (415). Programs
// (no Origin) and the gate's own pages are not affected.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGate, type TestGate } from '../support/gate.ts';

const EVIL = 'http://evil.example';
const FRIEND = 'http://dashboard.example';
const CREATE = 'mutation { createTask(input: { searchParams: { CourtRegion: "11" } }) { id } }';

describe('cross-site writes with auth off', () => {
  let t: TestGate;
  beforeAll(async () => {
    // PostgreSQL: the checks are the HTTP layer's, the same on either storage, and a PGlite gate costs more to open.
    t = await startTestGate('postgres', {
      authEnabled: false,
      adminApiKey: undefined,
      limits: { corsOrigins: [FRIEND] },
    });
  });
  afterAll(() => t?.stop());

  const tasks = async () => (await t.ok('{ tasks(first: 100) { totalCount } }', {}, null)).tasks.totalCount as number;
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers, body });
  const upgrade = (origin?: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
        headers: origin ? { origin } : {},
      });
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });

  it('refuses a form POST, a text/plain POST and a WebSocket from another site; nothing is created', async () => {
    const before = await tasks();
    const form = await post('/graphql', `query=${encodeURIComponent(CREATE)}`, {
      origin: EVIL,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(403);
    const plain = await post(
      '/api/v1/tasks/create',
      JSON.stringify({ search_params: { CourtRegion: '11' }, max_documents: 5 }),
      {
        origin: EVIL,
        'content-type': 'text/plain',
      },
    );
    expect(plain.status).toBe(403);
    expect((await plain.json()).detail).toMatch(/Cross-site request refused: origin http:\/\/evil\.example/);
    expect(await upgrade(EVIL)).toBe(403);
    expect(await upgrade('null')).toBe(403);
    expect(await tasks()).toBe(before);
  });

  it('requires JSON bodies on REST even without an Origin (415)', async () => {
    const plain = await post(
      '/api/v1/tasks/create',
      JSON.stringify({ search_params: { CourtRegion: '11' }, max_documents: 5 }),
      {
        'content-type': 'text/plain',
      },
    );
    expect(plain.status).toBe(415);
  });

  it('lets programs (no Origin), the gate’s own pages and CORS_ORIGINS through', async () => {
    const own = new URL(t.url).origin;
    for (const origin of [undefined, own, FRIEND]) {
      const res = await post('/graphql', JSON.stringify({ query: CREATE }), {
        'content-type': 'application/json',
        ...(origin ? { origin } : {}),
      });
      expect(res.status, String(origin)).toBe(200);
      expect(await upgrade(origin)).toBe(101);
    }
  });
});
