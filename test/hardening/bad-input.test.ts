// Hostile input gets a 4xx with a clear code, never INTERNAL/500: NUL characters and unpaired surrogates in
// names and search expressions (GraphQL and REST), a malformed connection cursor, a 5,000-deep list literal (over
// HTTP and WebSocket), a 10 MB body with Content-Length (the 413 must reach a client that is still sending), and
// JSON sent as a form or as application/graphql (415).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, collect, startTestGate, type TestGate } from '../support/gate.ts';
import { restClient } from '../rest/support.ts';
import * as op from '../gate/operations.ts';

let t: TestGate;
let call: ReturnType<typeof restClient>;
beforeAll(async () => {
  t = await startTestGate('postgres');
  call = restClient(t.url);
});
afterAll(() => t?.stop());

const REGISTER = 'mutation($n: String!) { registerClient(input: { name: $n }) { id } }';
const CREATE_KEY = 'mutation($n: String!) { createApiKey(input: { name: $n, role: WORKER }) { key } }';
const NUL = 'a\u0000b';
const LONE = 'a\ud800b';

describe('text the database cannot store', () => {
  it.each([
    ['a NUL in a worker name', REGISTER, { n: NUL }, /Variable "\$n" contains a NUL character/],
    ['an unpaired surrogate in a worker name', REGISTER, { n: LONE }, /unpaired surrogate/],
    ['a NUL in a key name', CREATE_KEY, { n: NUL }, /NUL/],
    [
      'a NUL in SearchExpression',
      op.CREATE_TASK,
      { input: { searchParams: { SearchExpression: NUL } } },
      /Variable "\$input\.searchParams\.SearchExpression" contains a NUL/,
    ],
    [
      'an unpaired surrogate in SearchExpression',
      op.CREATE_TASK,
      { input: { searchParams: { SearchExpression: LONE } } },
      /unpaired surrogate/,
    ],
  ])('%s → 400 BAD_USER_INPUT', async (_name, query, variables, message) => {
    const r = await t.gql(query, variables);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(message);
  });

  it('a NUL escaped in a string literal of the query → BAD_USER_INPUT', async () => {
    const r = await t.gql('mutation { registerClient(input: { name: "a\\u0000b" }) { id } }');
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(r.errors?.[0].message).toMatch(/A string in the query contains a NUL/);
  });

  it('REST: → 422 with where it is', async () => {
    const registered = await call('POST', '/api/v1/clients/register', { body: { client_name: NUL } });
    expect(registered.status).toBe(422);
    expect(registered.body.detail[0]).toMatchObject({
      loc: ['body', 'client_name'],
      msg: expect.stringMatching(/NUL/),
    });
    const created = await call('POST', '/api/v1/tasks/create', {
      body: { search_params: { SearchExpression: LONE } },
    });
    expect(created.status).toBe(422);
    expect(created.body.detail[0].loc).toEqual(['body', 'search_params', 'SearchExpression']);
  });

  it('ordinary text (Cyrillic, emoji, quotes) still works', async () => {
    const r = await t.ok(REGISTER, { n: 'робітник 🛠 "1"' });
    expect(r.registerClient.id).toBeTruthy();
  });
});

describe('a malformed cursor', () => {
  it('R1BDOlM6eA== (GPC:S:x) → BAD_USER_INPUT on tasks and on a task’s documents', async () => {
    const id = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask.id;
    const list = await t.gql('{ tasks(first: 2, after: "R1BDOlM6eA==") { edges { node { id } } } }');
    expect(list.errors?.[0]).toMatchObject({
      message: 'Invalid cursor: R1BDOlM6eA==',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const related = await t.gql(
      'query($id: ID!) { task(id: $id) { documents(first: 1, before: "R1BDOlM6eA==") { totalCount } } }',
      {
        id,
      },
    );
    expect(related.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // a real cursor still pages
    const page = await t.ok('{ tasks(first: 1) { edges { cursor } } }');
    expect(
      (await t.gql(`{ tasks(first: 1, after: "${page.tasks.edges[0].cursor}") { edges { node { id } } } }`)).errors,
    ).toBeUndefined();
  });
});

describe('a 5,000-deep list literal', () => {
  const deep = `{ tasks(first: 1, filter: { status: ${'['.repeat(5000)}${']'.repeat(5000)} }) { totalCount } }`;

  it('over HTTP → 400 BAD_USER_INPUT', async () => {
    const r = await t.gql(deep);
    expect(r.status).toBe(400);
    expect(r.errors?.[0]).toMatchObject({
      message: 'Syntax Error: lists, objects or selections nested deeper than 100 levels',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('over WebSocket → an error on that operation; the socket stays open', async () => {
    const ws = t.ws();
    await expect(collect(ws, deep, {}, 1).done).rejects.toThrow(/nested deeper than 100 levels/);
    expect(await collect(ws, '{ stats { tasksTotal } }', {}, 1).done).toEqual([
      { stats: { tasksTotal: expect.any(Number) } },
    ]);
  });
});

/**
 * Sends a request with a `size`-byte body over a raw socket, all of it, and reads the answer; then, when given,
 * sends `next` on the same connection and reads its answer too.
 */
function sendWhole(path: string, size: number, next?: string) {
  return new Promise<{ answer: string; error?: string }>((resolve) => {
    const socket = net.connect(t.gate.port, '127.0.0.1');
    let answer = '';
    let error: string | undefined;
    let sentAll = false;
    let sentNext = false;
    const progress = () => {
      const refused = answer.includes('bytes)"}');
      if (next && refused && sentAll && !sentNext) {
        sentNext = true;
        socket.write(next);
      }
      if (refused && (!next || /"tasksTotal":\d+\}\}\}/.test(answer))) socket.end();
    };
    socket.on('data', (d) => {
      answer += d;
      progress();
    });
    socket.on('error', (e) => (error = (e as NodeJS.ErrnoException).code ?? e.message));
    socket.on('close', () => resolve({ answer, error }));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: gate\r\nContent-Type: application/json\r\nX-API-Key: ${ADMIN_KEY}\r\nContent-Length: ${size}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!socket.write(part)) return void socket.once('drain', pump);
      }
      sentAll = true;
      progress();
    };
    pump();
  });
}

describe('a 10 MB body with Content-Length', () => {
  const TEN_MB = 10 * 1024 * 1024;

  it('GraphQL: the 413 JSON reaches a client that sends it all, and the connection stays usable', async () => {
    const body = JSON.stringify({ query: '{ stats { tasksTotal } }' });
    const next = `POST /graphql HTTP/1.1\r\nHost: gate\r\nContent-Type: application/json\r\nX-API-Key: ${ADMIN_KEY}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const { answer, error } = await sendWhole('/graphql', TEN_MB, next);
    expect(error).toBeUndefined();
    expect(answer).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(answer).toContain('{"detail":"Request body too large (limit 1048576 bytes)"}');
    expect(answer).toMatch(/HTTP\/1\.1 200 OK[\s\S]*"tasksTotal"/);
  });

  it('REST: the same', async () => {
    const { answer, error } = await sendWhole('/api/v1/tasks/create', TEN_MB);
    expect(error).toBeUndefined();
    expect(answer).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(answer).toContain('{"detail":"Request body too large (limit 1048576 bytes)"}');
  });
});

describe('GraphQL POSTs are JSON', () => {
  it.each([
    'application/x-www-form-urlencoded',
    'application/graphql',
    'text/plain',
    'multipart/form-data; boundary=x',
  ])('JSON sent as %s → 415', async (contentType) => {
    const res = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': contentType, 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ detail: 'Unsupported Media Type: send GraphQL requests as application/json' });
  });

  it('application/json (with a charset) is served', async () => {
    const res = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
