// GraphQL JSON POSTs to /graphql are answered beside Yoga's fetch adaptation (server/graphql/json-post.ts): every
// answer must be the one Yoga gives. `/graphql?via=yoga` is the same endpoint but not that path's URL, so Yoga answers
// it: each request below is sent to both and the status, the headers that matter and the body must be equal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

let t: TestGate;
let workerKey: string;
let clientId: string;
beforeAll(async () => {
  t = await startTestGate('postgres');
  workerKey = (await t.ok('mutation { createApiKey(input: { name: "w", role: WORKER }) { key } }')).createApiKey.key;
  clientId = (await t.ok(op.REGISTER, { name: 'w' }, workerKey)).registerClient.id;
});
afterAll(() => t?.stop());

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    allow: res.headers.get('allow'),
    body: await res.text(),
  };
}

/**
 * The endpoint with a query string, so the request's URL is not json-post's and Yoga answers it (`/graphql?` alone
 * would not do: fetch drops an empty query string, and json-post answered both).
 */
const YOGA_URL = '/graphql?via=yoga';

const json = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
const GRAPHQL_REQUEST = 'application/graphql-response+json, application/json';

describe('GraphQL JSON POSTs answer as Yoga does', () => {
  it.each([
    ['a query', json('{ __typename }'), ADMIN_KEY, undefined],
    ['a query, graphql-request accept', json('{ __typename }'), ADMIN_KEY, GRAPHQL_REQUEST],
    ['a query, application/json', json('{ __typename }'), ADMIN_KEY, 'application/json'],
    ['a validation error', json('{ __typename nope }'), ADMIN_KEY, undefined],
    ['a validation error, graphql-request accept', json('{ nope }'), ADMIN_KEY, GRAPHQL_REQUEST],
    ['a syntax error', json('{ __typename '), ADMIN_KEY, undefined],
    ['a syntax error, graphql-response+json', json('{ x'), ADMIN_KEY, 'application/graphql-response+json'],
    [
      'a variable of the wrong type',
      json('query($a: Int!) { __typename @skip(if: false) }', { a: 'x' }),
      ADMIN_KEY,
      undefined,
    ],
    ['an unknown key', json('{ __typename }'), 'unknown-key-0123456789abcdef0123', undefined],
    [
      'an unknown key, graphql-request accept',
      json('{ __typename }'),
      'unknown-key-0123456789abcdef0123',
      GRAPHQL_REQUEST,
    ],
    ['no key for a mutation', json('mutation { createApiKey(input: { name: "x" }) { key } }'), null, undefined],
    ['introspection without a key', json('{ __schema { queryType { name } } }'), null, undefined],
    ['a worker asking for an admin field', json('{ apiKeys { id } }'), 'worker', undefined],
    [
      'a service error',
      json(op.COMPLETE, {
        input: { taskId: crypto.randomUUID(), leaseToken: crypto.randomUUID(), documentsDownloaded: 1 },
      }),
      'worker',
      GRAPHQL_REQUEST,
    ],
    [
      'bad input',
      json(op.COMPLETE, { input: { taskId: 'x', leaseToken: 'y', documentsDownloaded: 1 } }),
      'worker',
      undefined,
    ],
    ['a NUL in a variable', json(op.REGISTER, { name: 'a\u0000b' }), 'worker', undefined],
    ['two operations, none named', json('query A { __typename } query B { __typename }'), ADMIN_KEY, undefined],
    [
      'too deep',
      json(`{ __schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } } }`),
      ADMIN_KEY,
      undefined,
    ],
    [
      'too many aliases',
      json(`{ ${Array.from({ length: 20 }, (_, i) => `a${i}: __typename`).join(' ')} }`),
      ADMIN_KEY,
      undefined,
    ],
    ['an unexpected parameter', JSON.stringify({ query: '{ __typename }', foo: 1 }), ADMIN_KEY, undefined],
    ['a query that is not a string', JSON.stringify({ query: 5 }), ADMIN_KEY, undefined],
    ['no query', JSON.stringify({ variables: {} }), ADMIN_KEY, undefined],
    [
      'variables that are not an object',
      JSON.stringify({ query: '{ __typename }', variables: 3 }),
      ADMIN_KEY,
      undefined,
    ],
    [
      'an operation picked by name',
      JSON.stringify({ query: 'query A { __typename } query B { nope }', operationName: 'A' }),
      ADMIN_KEY,
      undefined,
    ],
    [
      'an operation name that names none',
      JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }),
      ADMIN_KEY,
      undefined,
    ],
    [
      'an operation name that is not a string',
      JSON.stringify({ query: '{ __typename }', operationName: 1 }),
      ADMIN_KEY,
      undefined,
    ],
    [
      'extensions that are not an object',
      JSON.stringify({ query: '{ __typename }', extensions: [] }),
      ADMIN_KEY,
      undefined,
    ],
    [
      'extensions, and an unexpected parameter that is null',
      JSON.stringify({ query: '{ __typename }', extensions: { a: 1 }, foo: null, variables: null }),
      ADMIN_KEY,
      undefined,
    ],
    ['variables that are an array', JSON.stringify({ query: '{ __typename }', variables: [] }), ADMIN_KEY, undefined],
    ['a mutation for a worker that it may not run', json(op.CREATE_TASK, { input: {} }), 'worker', undefined],
    ['an array (batching)', JSON.stringify([{ query: '{ __typename }' }]), ADMIN_KEY, undefined],
    ['null', 'null', ADMIN_KEY, undefined],
    ['a string', '"{ __typename }"', ADMIN_KEY, undefined],
    ['invalid JSON', '{"query": "{ __typename }"', ADMIN_KEY, undefined],
    [
      'a subscription, application/json only',
      json('subscription { taskEvents { seq } }'),
      ADMIN_KEY,
      'application/json',
    ],
  ])('%s', async (_name, body, key, accept) => {
    const apiKey = key === 'worker' ? workerKey : key;
    const headers = { ...(apiKey ? { 'x-api-key': apiKey } : {}), ...(accept ? { accept } : {}) };
    const viaYoga = await post(YOGA_URL, body, headers);
    const direct = await post('/graphql', body, headers);
    expect(direct).toEqual(viaYoga);
  });

  it('claims and completes a task (the worker loop) with the same answers as before', async () => {
    await t.ok(op.CREATE_TASK, { input: { searchParams: { CourtRegion: ['11'] } } });
    const claim = json(op.CLAIM, { clientId });
    const claimed = await post('/graphql', claim, { 'x-api-key': workerKey, accept: GRAPHQL_REQUEST });
    expect(claimed).toMatchObject({ status: 200, contentType: 'application/graphql-response+json; charset=utf-8' });
    const { leaseToken, task } = JSON.parse(claimed.body).data.claimTask;
    const completion = { taskId: task.id, leaseToken, documentsDownloaded: 1 };
    const complete = json(op.COMPLETE, { input: completion });
    const done = await post('/graphql', complete, { 'x-api-key': workerKey });
    expect(JSON.parse(done.body)).toEqual({ data: { completeTask: expect.objectContaining({ status: 'COMPLETED' }) } });
    // again: the lease is gone, and both paths say so alike
    expect(await post('/graphql', complete, { 'x-api-key': workerKey })).toEqual(
      await post(YOGA_URL, complete, { 'x-api-key': workerKey }),
    );
  });
});
