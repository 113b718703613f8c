// Keys: what is kept of them, what a revocation does (the environment's admin key included), who may name a
// task when registering documents, who may introspect, and routes that never look at a key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { hashApiKey } from '../../server/services/api-keys.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import * as op from './operations.ts';

const CREATE_KEY = `mutation($name: String!) { createApiKey(input: { name: $name, role: WORKER }) { key apiKey { id prefix } } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { id revokedAt } }`;
const REGISTER_DOCUMENTS = `mutation($input: RegisterDocumentsInput!) { registerDocuments(input: $input) { created } }`;
const code = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code;

describe('keys (PostgreSQL, auth on)', () => {
  let t: TestGate;
  let worker: { key: string; id: string };
  let other: { key: string; id: string };
  beforeAll(async () => {
    t = await startTestGate('postgres');
    const made = async (name: string) => {
      const { createApiKey } = await t.ok(CREATE_KEY, { name });
      return { key: createApiKey.key as string, id: createApiKey.apiKey.id as string };
    };
    worker = await made('keys-worker');
    other = await made('keys-other');
  });
  afterAll(() => t?.stop());

  it('keeps at most 6 characters of any key in clear, ADMIN_API_KEY included', async () => {
    const rows = await prisma.apiKey.findMany();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(row.prefix.length).toBeLessThanOrEqual(6);
    const env = rows.find((r) => r.keyHash === hashApiKey(ADMIN_KEY))!;
    expect(ADMIN_KEY.startsWith(env.prefix)).toBe(true);
    expect(worker.key.startsWith(rows.find((r) => r.id === worker.id)!.prefix)).toBe(true);
  });

  it('refuses registerDocuments naming a task the caller does not hold, or another key’s client', async () => {
    await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11 } });
    const mine = (await t.ok(op.REGISTER, { name: 'holder' }, worker.key)).registerClient.id;
    const theirs = (await t.ok(op.REGISTER, { name: 'bystander' }, other.key)).registerClient.id;
    const { claimTask } = await t.ok(op.CLAIM, { clientId: mine }, worker.key);
    const taskId = claimTask.task.id;
    const documents = (id: string) => [{ documentId: id, metadata: {} }];

    const stranger = await t.gql(REGISTER_DOCUMENTS, { input: { taskId, documents: documents('901') } }, other.key);
    expect(code(stranger)).toBe('FORBIDDEN');
    const wrongClient = await t.gql(
      REGISTER_DOCUMENTS,
      { input: { clientId: mine, documents: documents('902') } },
      other.key,
    );
    expect(code(wrongClient)).toBe('FORBIDDEN');
    const unknownTask = await t.gql(
      REGISTER_DOCUMENTS,
      { input: { taskId: '00000000-0000-4000-8000-000000000000', documents: documents('903') } },
      worker.key,
    );
    expect(code(unknownTask)).toBe('NOT_FOUND');
    expect(await prisma.document.count({ where: { documentId: { in: ['901', '902', '903'] } } })).toBe(0);

    // REST: the same rule (the older clients' one-document call)
    const rest = await fetch(`${t.url}/api/v1/documents/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': other.key },
      body: JSON.stringify({ task_id: taskId, metadata: { external_id: '904' } }),
    });
    expect(rest.status).toBe(403);

    // The holder may, with its client and without; and still after it lost the lease (real downloads).
    await t.ok(REGISTER_DOCUMENTS, { input: { taskId, clientId: mine, documents: documents('905') } }, worker.key);
    await t.ok(op.RELEASE, { leases: [{ taskId, leaseToken: claimTask.leaseToken }] }, worker.key);
    await t.ok(REGISTER_DOCUMENTS, { input: { taskId, documents: documents('906') } }, worker.key);
    // An admin may name any task.
    await t.ok(REGISTER_DOCUMENTS, { input: { taskId, clientId: theirs, documents: documents('907') } });
    expect(await prisma.document.count({ where: { documentId: { in: ['905', '906', '907'] } } })).toBe(3);
  });

  it('answers introspection only with a key (a worker key is enough)', async () => {
    const query = '{ __schema { queryType { name } } }';
    const viaFragment = 'query { ...F } fragment F on Query { __type(name: "Task") { name } }';
    expect(code(await t.gql(query, {}, null))).toBe('UNAUTHENTICATED');
    expect(code(await t.gql(viaFragment, {}, null))).toBe('UNAUTHENTICATED');
    expect((await t.ok(query, {}, worker.key)).__schema.queryType.name).toBe('Query');
    expect((await t.ok(viaFragment, {}, worker.key)).__type.name).toBe('Task');
    expect((await t.gql('{ __typename }', {}, null)).data).toEqual({ __typename: 'Query' });
  });

  it('answers / and /health the same whatever key is sent: none, a wrong one, a revoked one', async () => {
    const { createApiKey } = await t.ok(CREATE_KEY, { name: 'soon-revoked' });
    await t.ok(REVOKE_KEY, { id: createApiKey.apiKey.id });
    for (const key of [null, 'rk_wrong-key', createApiKey.key]) {
      for (const path of ['/', '/health']) {
        const res = await fetch(`${t.url}${path}`, { headers: key ? { 'x-api-key': key } : {} });
        expect(res.status, `${path} with ${key ? 'a key' : 'no key'}`).toBe(200);
      }
    }
  });

  it('keeps a revoked ADMIN_API_KEY revoked across a restart, and logs that it stays so', async () => {
    const envKey = await prisma.apiKey.findUniqueOrThrow({ where: { keyHash: hashApiKey(ADMIN_KEY) } });
    await t.ok(REVOKE_KEY, { id: envKey.id }, ADMIN_KEY);
    const lines: string[] = [];
    t = await t.restart({ logLevel: 'warn' }, { logTo: { write: (line) => void lines.push(line) } });
    expect(code(await t.gql('{ me { role } }', {}, ADMIN_KEY))).toBe('UNAUTHENTICATED');
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: envKey.id } })).revokedAt).not.toBeNull();
    expect(lines.join('\n')).toMatch(/ADMIN_API_KEY was revoked and stays revoked/);
  });
});
