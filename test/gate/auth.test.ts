// Who may do what: no key, bad key, revoked key, worker key, admin key; and auth switched off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { hashApiKey } from '../../server/services/api-keys.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

const CREATE_KEY = `mutation($name: String!, $role: Role) { createApiKey(input: { name: $name, role: $role }) { key apiKey { id role prefix } } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { id revokedAt } }`;
const code = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code;

describe('auth on (PostgreSQL)', () => {
  let t: TestGate;
  let workerKey: string;
  let workerKeyId: string;
  beforeAll(async () => {
    t = await startTestGate('postgres');
    const { createApiKey } = await t.ok(CREATE_KEY, { name: 'worker-1', role: 'WORKER' });
    workerKey = createApiKey.key;
    workerKeyId = createApiKey.apiKey.id;
  });
  afterAll(() => t?.stop());

  it('stores keys only as hashes and shows a new key once', async () => {
    const rows = await prisma.apiKey.findMany();
    expect(rows.every((r) => !JSON.stringify(r).includes(workerKey))).toBe(true);
    expect(rows.find((r) => r.id === workerKeyId)?.keyHash).toBe(hashApiKey(workerKey));
    const listed = await t.gql(`{ apiKeys { id prefix role } }`);
    expect(JSON.stringify(listed)).not.toContain(workerKey);
    expect(listed.data.apiKeys.find((k: { id: string }) => k.id === workerKeyId)).toEqual({
      id: workerKeyId,
      prefix: workerKey.slice(0, 6),
      role: 'WORKER',
    });
  });

  it('answers no key with UNAUTHENTICATED and a bad key with UNAUTHENTICATED (HTTP 401)', async () => {
    const none = await t.gql(`{ stats { pending } }`, {}, null);
    expect(code(none)).toBe('UNAUTHENTICATED');
    const bad = await t.gql(`{ stats { pending } }`, {}, 'rk_this-is-not-a-key');
    expect(code(bad)).toBe('UNAUTHENTICATED');
    expect(bad.status).toBe(401);
    expect(bad.errors?.[0].message).toBe('Invalid API key');
  });

  it('accepts Authorization: Bearer as well as X-API-Key', async () => {
    const res = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${workerKey}` },
      body: JSON.stringify({ query: '{ me { role keyId } }' }),
    });
    expect((await res.json()).data.me).toEqual({ role: 'WORKER', keyId: workerKeyId });
  });

  it('lets a worker key run its own tasks but not administer', async () => {
    const task = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } })).createTask;
    const clientId = (await t.ok(op.REGISTER, { name: 'keyed-worker' }, workerKey)).registerClient.id;
    const { claimTask } = await t.ok(op.CLAIM, { clientId }, workerKey);
    expect(claimTask.task.id).toBe(task.id);
    await t.ok(
      op.COMPLETE,
      { input: { taskId: task.id, leaseToken: claimTask.leaseToken, documentsDownloaded: 1 } },
      workerKey,
    );
    expect((await t.ok(`{ tasks(first: 5) { totalCount } }`, {}, workerKey)).tasks.totalCount).toBeGreaterThan(0);

    for (const [query, variables] of [
      [op.CREATE_TASK, { input: { searchParams: op.region11 } }],
      [op.CANCEL, { id: task.id }],
      [op.RETRY, { id: task.id }],
      [CREATE_KEY, { name: 'sneaky', role: 'ADMIN' }],
      [REVOKE_KEY, { id: workerKeyId }],
      [`{ apiKeys { id } }`, {}],
    ] as const) {
      expect(code(await t.gql(query, variables, workerKey))).toBe('FORBIDDEN');
    }
  });

  it("does not let a worker key act for another key's client", async () => {
    const other = (await t.ok(CREATE_KEY, { name: 'worker-2', role: 'WORKER' })).createApiKey.key;
    const mine = (await t.ok(op.REGISTER, { name: 'mine' }, workerKey)).registerClient.id;
    expect(code(await t.gql(op.CLAIM, { clientId: mine }, other))).toBe('FORBIDDEN');
    expect(code(await t.gql(op.HEARTBEAT, { clientId: mine }, other))).toBe('FORBIDDEN');
  });

  it('rejects a revoked key at once', async () => {
    const { createApiKey } = await t.ok(CREATE_KEY, { name: 'short-lived', role: 'WORKER' });
    expect((await t.ok(`{ me { role } }`, {}, createApiKey.key)).me.role).toBe('WORKER');
    await t.ok(REVOKE_KEY, { id: createApiKey.apiKey.id });
    expect(code(await t.gql(`{ me { role } }`, {}, createApiKey.key))).toBe('UNAUTHENTICATED');
  });

  it('lets an admin disable a worker, which then cannot claim', async () => {
    const clientId = (await t.ok(op.REGISTER, { name: 'to-disable' }, workerKey)).registerClient.id;
    await t.ok(`mutation($id: ID!) { setClientStatus(input: { id: $id, status: DISABLED }) { status } }`, {
      id: clientId,
    });
    expect(code(await t.gql(op.CLAIM, { clientId }, workerKey))).toBe('FORBIDDEN');
  });
});

describe('auth off (PGlite)', () => {
  let t: TestGate;
  beforeAll(async () => {
    t = await startTestGate('pglite', { authEnabled: false, adminApiKey: undefined });
  });
  afterAll(() => t?.stop());

  it('allows every operation without a key and creates no admin key', async () => {
    expect(t.gate.createdAdminKey).toBeNull();
    const task = (await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } }, null)).createTask;
    const clientId = (await t.ok(op.REGISTER, { name: 'open-worker' }, null)).registerClient.id;
    const { claimTask } = await t.ok(op.CLAIM, { clientId }, null);
    expect(claimTask.task.id).toBe(task.id);
    expect((await t.ok(`{ me { role authEnabled } }`, {}, null)).me).toEqual({ role: 'ADMIN', authEnabled: false });
  });
});
