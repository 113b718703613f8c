// A GraphQL POST of a query text the gate has parsed and validated before runs without Envelop's hooks
// (server/graphql/lean-execution.ts): the first request of each text below goes through Envelop, the same text again
// through the lean path, and both answers must be the same (status, media type, body).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../server/config.ts';
import { createGraphQLServer } from '../../server/graphql-server.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

let t: TestGate;
/** the per-key mutation budget: the worker keys the cases make spend the admin key's */
const MUTATIONS_PER_MINUTE = 6;
beforeAll(async () => {
  t = await startTestGate('postgres', { limits: { ...DEFAULT_LIMITS, mutationsPerMinute: MUTATIONS_PER_MINUTE } });
});
afterAll(() => t?.stop());

const newWorkerKey = async (name: string): Promise<string> =>
  (await t.ok('mutation($n: String!) { createApiKey(input: { name: $n, role: WORKER }) { key } }', { n: name }))
    .createApiKey.key;

async function post(query: string, variables: unknown, key: string | null, operationName?: string) {
  const res = await fetch(t.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify({ query, variables, operationName }),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
}

describe('the lean path for known query texts', () => {
  it('is on with the gate plugins, and off when another plugin hooks execution', () => {
    const stub = {} as never;
    const { yoga } = createGraphQLServer({ bus: stub, statsFeed: stub, authEnabled: true, log: createLogger('error') });
    const plugins = (yoga as unknown as { plugins: Array<object | false> }).plugins;
    type Lean = { enabled: boolean; onPluginInit(payload: { plugins: Array<object | false> }): void };
    const lean = plugins.find((p) => p && 'enabled' in p) as Lean;
    expect(lean.enabled).toBe(true);
    lean.onPluginInit({ plugins: [...plugins, { onExecute() {} }] });
    expect(lean.enabled).toBe(false);
  });

  // Each text is new to the gate (a comment names the case), so its first request goes through Envelop.
  it.each([
    ['a query', '{ __typename }', {}, ADMIN_KEY],
    ['an unknown key', '{ __typename }', {}, 'unknown-key-0123456789abcdef0123'],
    ['introspection without a key', '{ __schema { queryType { name } } }', {}, null],
    ['no key for a mutation', 'mutation { createApiKey(input: { name: "x" }) { key } }', {}, null],
    ['a worker asking for an admin field', '{ apiKeys { id } }', {}, 'worker'],
    ['a variable of the wrong type', 'query($a: Boolean!) { __typename @skip(if: $a) }', { a: 'x' }, ADMIN_KEY],
    ['a NUL in a variable', op.REGISTER, { name: 'a\u0000b' }, 'worker'],
    [
      'a service error',
      op.COMPLETE,
      { input: { taskId: crypto.randomUUID(), leaseToken: crypto.randomUUID(), documentsDownloaded: 1 } },
      'worker',
    ],
    ['bad input', op.COMPLETE, { input: { taskId: 'x', leaseToken: 'y', documentsDownloaded: 1 } }, 'worker'],
    ['an operation picked by name', 'query A { __typename } query B { b: __typename }', {}, ADMIN_KEY, 'B'],
    ['an operation name that names none', 'query A { __typename }', {}, ADMIN_KEY, 'B'],
  ])('%s', async (name, query, variables, key, operationName?: string) => {
    const text = `${query} # ${name}`;
    const apiKey = key === 'worker' ? await newWorkerKey(name) : key;
    const first = await post(text, variables, apiKey, operationName);
    expect(await post(text, variables, apiKey, operationName)).toEqual(first);
  });

  it('refuses a mutation over the rate limit alike', async () => {
    const register = 'mutation($n: String!) { registerClient(input: { name: $n }) { id } }';
    // one key spends its points on one text (its first request through Envelop, then lean), one more is refused
    const lean = await newWorkerKey('lean');
    for (let i = 0; i < MUTATIONS_PER_MINUTE; i++) {
      expect(JSON.parse((await post(register, { n: `l${i}` }, lean)).body).errors).toBeUndefined();
    }
    const refusedLean = await post(register, { n: 'l' }, lean);
    // another spends them on another text and is refused on a third, new to the gate (through Envelop)
    const enveloped = await newWorkerKey('enveloped');
    for (let i = 0; i < MUTATIONS_PER_MINUTE; i++) await post(`${register} # spent`, { n: `e${i}` }, enveloped);
    const refusedEnveloped = await post(`${register} # refused`, { n: 'e' }, enveloped);
    const retryIn = (answer: { body: string }) => answer.body.replace(/\d+/g, 'N');
    expect(JSON.parse(refusedLean.body).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect({ ...refusedLean, body: retryIn(refusedLean) }).toEqual({
      ...refusedEnveloped,
      body: retryIn(refusedEnveloped),
    });
  });
});
