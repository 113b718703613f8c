// Bad input gets BAD_USER_INPUT (or a GraphQL validation error) with a clear message, never an internal error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

describe('bad input (PostgreSQL)', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('postgres');
  });
  afterAll(() => t?.stop());

  const uuid = '00000000-0000-4000-8000-000000000000';
  const cases: Array<[string, string, Record<string, unknown>, RegExp]> = [
    [
      'negative max documents',
      op.CREATE_TASK,
      { input: { searchParams: op.region11, maxDocuments: -5 } },
      /maxDocuments/,
    ],
    [
      'too many documents',
      op.CREATE_TASK,
      { input: { searchParams: op.region11, maxDocuments: 1001 } },
      /maxDocuments/,
    ],
    ['start page 0', op.CREATE_TASK, { input: { searchParams: op.region11, startPage: 0 } }, /startPage/],
    ['unknown search field', op.CREATE_TASK, { input: { searchParams: { Region: '11' } } }, /unknown search field/],
    ['search params not an object', op.CREATE_TASK, { input: { searchParams: 'CourtRegion=11' } }, /searchParams/],
    ['bad date', op.CREATE_TASK, { input: { searchParams: { RegDateBegin: '31.02.2024' } } }, /not a valid date/],
    ['huge claim limit', op.CLAIM_MANY, { clientId: uuid, limit: 1_000_000 }, /limit/],
    ['zero claim limit', op.CLAIM_MANY, { clientId: uuid, limit: 0 }, /limit/],
    ['malformed client id', op.CLAIM, { clientId: 'abc' }, /clientId/],
    ['malformed task id', op.TASK, { id: 'not-a-uuid' }, /UUID/],
    [
      'malformed lease token',
      op.COMPLETE,
      { input: { taskId: uuid, leaseToken: 'x', documentsDownloaded: 1 } },
      /leaseToken/,
    ],
    [
      'negative counters',
      op.PROGRESS,
      { input: { taskId: uuid, leaseToken: uuid, documentsDownloaded: -1 } },
      /documentsDownloaded/,
    ],
    [
      'empty error message',
      op.FAIL,
      { input: { taskId: uuid, leaseToken: uuid, errorClass: 'NETWORK', message: ' ' } },
      /message/,
    ],
    ['empty bulk', op.CREATE_TASKS, { tasks: [] }, /at least one/],
    ['bad priority', op.CREATE_TASK, { input: { searchParams: op.region11, priority: 5000 } }, /priority/],
  ];

  it.each(cases)('%s → BAD_USER_INPUT', async (_name, query, variables, message) => {
    const r = await t.gql(query, variables);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(message);
  });

  it.each([
    ['unknown enum value', op.FAIL, { input: { taskId: uuid, leaseToken: uuid, errorClass: 'OOPS', message: 'm' } }],
    ['string for an int', op.CREATE_TASK, { input: { searchParams: op.region11, maxDocuments: 'abc' } }],
    ['float for an int', op.CREATE_TASK, { input: { searchParams: op.region11, maxDocuments: 2.5 } }],
    ['missing required field', op.CLAIM, {}],
  ])('%s in variables → BAD_USER_INPUT', async (_name, query, variables) => {
    const r = await t.gql(query, variables as Record<string, unknown>);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('an unknown task is NOT_FOUND; a well-formed but unknown lease is NOT_FOUND for its task', async () => {
    expect((await t.gql(op.CANCEL, { id: uuid })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const r = await t.gql(op.COMPLETE, { input: { taskId: uuid, leaseToken: uuid, documentsDownloaded: 1 } });
    expect(r.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.ok(op.TASK, { id: uuid })).task).toBeNull();
  });

  it('a syntax error or unknown field is a validation error, not an internal one', async () => {
    const syntax = await t.gql('{ tasks( }');
    expect(syntax.errors?.[0].extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    const unknown = await t.gql('{ nope }');
    expect(unknown.errors?.[0].message).toMatch(/Cannot query field "nope"/);
  });

  it('rejects a page size past the connection limit', async () => {
    const r = await t.gql(`{ tasks(first: -1) { totalCount } }`);
    expect(r.errors?.[0].extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  });
});
