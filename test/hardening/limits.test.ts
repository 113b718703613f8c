// Every limit bites: GraphQL depth, aliases, tokens, cost and directives (over HTTP and over WebSocket),
// request body size (REST and GraphQL), the per-key mutation rate limit (REST 429 + Retry-After, GraphQL
// RATE_LIMITED), CORS_ORIGINS, and masked internal errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestGate, type TestGate } from '../support/gate.ts';
import { region11, restClient, workerKey } from '../rest/support.ts';

let t: TestGate;
let call: ReturnType<typeof restClient>;

beforeAll(async () => {
  t = await startTestGate('postgres', {
    limits: {
      graphqlMaxDepth: 4,
      graphqlMaxAliases: 2,
      graphqlMaxTokens: 400,
      graphqlMaxCost: 100,
      graphqlMaxDirectives: 3,
      bodyLimitBytes: 4096,
      mutationsPerMinute: 3,
      corsOrigins: ['https://ops.example'],
    },
  });
  call = restClient(t.url);
});
afterAll(() => t?.stop());

const DEEP = '{ tasks(first: 1) { edges { node { leaseHolder { currentTasks { id } } } } } }';
const ALIASES = '{ a: stats { tasksTotal } b: stats { tasksTotal } c: stats { tasksTotal } }';
const MANY_TOKENS = `{ stats { ${Array.from({ length: 450 }, () => 'at').join(' ')} } }`;
const COSTLY = `{ stats { throughput { minute documents tasksCompleted } tasksByStatus { status count } pending running completed failed dead cancelled tasksTotal activeClients documentsTotal documentsPerMinute at } tasks(first: 5) { edges { node { id status searchParams startPage maxDocuments priority attempts maxAttempts createdAt updatedAt } } } }`;
const DIRECTIVES = '{ stats @include(if: true) @include(if: true) @skip(if: false) @skip(if: false) { tasksTotal } }';

describe('GraphQL Armor over HTTP', () => {
  const firstError = async (query: string) => {
    const r = await t.gql(query);
    expect(r.errors?.length, query).toBeGreaterThan(0);
    return r.errors![0].message;
  };

  it('refuses queries over the depth, alias, token, cost and directive limits; allows ones within', async () => {
    expect(await firstError(DEEP)).toMatch(/Query depth limit of 4 exceeded/);
    expect(await firstError(ALIASES)).toMatch(/Aliases limit of 2 exceeded/);
    expect(await firstError(MANY_TOKENS)).toMatch(/Syntax Error: Token limit of 400 exceeded/i);
    expect(await firstError(COSTLY)).toMatch(/Query Cost limit of 100 exceeded/);
    expect(await firstError(DIRECTIVES)).toMatch(/Directives limit of 3 exceeded/);
    expect(await t.ok('{ a: stats { tasksTotal } b: stats { pending } }')).toEqual({
      a: { tasksTotal: 0 },
      b: { pending: 0 },
    });
  });

  it('does not suggest field names to strangers', async () => {
    const r = await t.gql('{ statz { tasksTotal } }');
    expect(r.errors![0].message).not.toMatch(/Did you mean/);
  });
});

describe('GraphQL Armor over WebSocket', () => {
  it('applies the same validation rules and token limit to subscriptions', async () => {
    const ws = t.ws();
    await expect(
      collect(ws, 'subscription { statsUpdated { a: tasksTotal b: tasksTotal c: tasksTotal } }', {}, 1).done,
    ).rejects.toThrow(/Aliases limit of 2 exceeded/);
    await expect(
      collect(ws, 'subscription { clientUpdated { currentTasks { leaseHolder { currentTasks { id } } } } }', {}, 1)
        .done,
    ).rejects.toThrow(/Query depth limit of 4 exceeded/);
    // short tokens: under the 4 kB frame limit (a bigger frame closes the socket, see websocket-limits.test.ts)
    const longSubscription = `subscription { statsUpdated { ${Array.from({ length: 450 }, () => 'at').join(' ')} } }`;
    await expect(collect(ws, longSubscription, {}, 1).done).rejects.toThrow(/Token limit of 400 exceeded/);
    const [first] = await collect(ws, 'subscription { statsUpdated { tasksTotal } }', {}, 1).done;
    expect(first).toEqual({ statsUpdated: { tasksTotal: 0 } });
  });
});

describe('request body size', () => {
  it('REST: 413 over the limit, by declared length and by the bytes that arrive', async () => {
    const big = { search_params: region11, padding: 'x'.repeat(5000) };
    expect(await call('POST', '/api/v1/tasks/create', { body: big })).toMatchObject({
      status: 413,
      body: { detail: 'Request body too large (limit 4096 bytes)' },
    });
    // Chunked (no Content-Length): cut off while reading.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(big)));
        controller.close();
      },
    });
    const res = await fetch(`${t.url}/api/v1/tasks/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': (await import('../support/gate.ts')).ADMIN_KEY },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('GraphQL: 413 over the limit, 411 without a length', async () => {
    const query = `{ stats { tasksTotal } } # ${'x'.repeat(5000)}`;
    const res = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(res.status).toBe(413);
    const chunked = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob(['{"query":"{ __typename }"}']).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
  });
});

describe('per-key mutation rate limit', () => {
  it('REST: the fourth POST in a minute → 429 with Retry-After; other keys are unaffected', async () => {
    const key = await workerKey('hasty');
    for (let i = 0; i < 3; i++) {
      expect((await call('POST', '/api/v1/clients/heartbeat', { key })).status).not.toBe(429);
    }
    const limited = await call('POST', '/api/v1/clients/heartbeat', { key });
    expect(limited.status).toBe(429);
    expect(limited.body.detail).toMatch(/^Too many mutations with this API key: at most 3 a minute; retry in \d+ s$/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call('GET', '/api/v1/tasks/status', { key })).status).toBe(200); // reads are not limited
    const other = await workerKey('calm');
    expect((await call('POST', '/api/v1/clients/register', { key: other, body: { client_name: 'calm' } })).status).toBe(
      200,
    );
  });

  it('GraphQL: mutation fields share the bucket → RATE_LIMITED (over HTTP and WebSocket)', async () => {
    const key = await workerKey('gql-hasty');
    const register =
      'mutation { a: registerClient(input: { name: "a" }) { id } b: registerClient(input: { name: "b" }) { id } }';
    expect((await t.gql(register, {}, key)).errors).toBeUndefined(); // 2 tokens
    expect((await t.gql('mutation { registerClient(input: { name: "c" }) { id } }', {}, key)).errors).toBeUndefined(); // 3
    const limited = await t.gql('mutation { registerClient(input: { name: "d" }) { id } }', {}, key);
    expect(limited.errors![0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    const overWs = new Promise<any>((resolve, reject) => {
      t.ws(key).subscribe(
        { query: 'mutation { registerClient(input: { name: "e" }) { id } }' },
        { next: resolve, error: reject, complete: () => {} },
      );
    });
    expect((await overWs).errors[0].extensions.code).toBe('RATE_LIMITED');
  });
});

describe('CORS_ORIGINS', () => {
  it('answers preflights and sets Allow-Origin only for listed origins, on REST and GraphQL', async () => {
    const preflight = (origin: string, path: string) =>
      fetch(`${t.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const ok = await preflight('https://ops.example', '/graphql');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    expect(ok.headers.get('access-control-allow-headers')).toContain('x-api-key');
    const denied = await preflight('https://evil.example', '/api/v1/tasks/request');
    expect(denied.status).toBe(204);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${t.url}/api/v1/tasks/status`, {
      headers: { origin: 'https://ops.example', 'x-api-key': (await import('../support/gate.ts')).ADMIN_KEY },
    });
    expect(get.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    const gql = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(gql.headers.get('access-control-allow-origin')).toBeNull();
  });
});
