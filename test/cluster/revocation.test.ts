// Revoking a key, or disabling a client, ends its open WebSockets at once — on every gate of the database,
// not only the one that was asked (the revocation is a NOTIFY every gate hears). Two gate processes, one
// PostgreSQL database, real sockets.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { startGateProcess, type GateProcess } from '../support/gate-process.ts';
import { graphqlData } from '../support/graphql-http.ts';
import { type OpenSocket, openSocket } from '../support/subscription-socket.ts';

const ADMIN = 'revocation-admin-key-0123456789abcdef';

const stillOpen = (s: OpenSocket) => s.ws.readyState === WebSocket.OPEN;

describe('revocation ends WebSockets on every gate', () => {
  let db: TestDatabase;
  let a: GateProcess;
  let b: GateProcess;
  const opened: OpenSocket[] = [];
  const open = (base: string, params: Record<string, unknown>) => {
    const s = openSocket(base, params);
    opened.push(s);
    return s;
  };
  const admin = (base: string, query: string, variables: Record<string, unknown> = {}) =>
    graphqlData(base, ADMIN, query, variables);
  const newWorkerKey = async (name: string) => {
    const { createApiKey } = await admin(
      a.url,
      'mutation($n: String!) { createApiKey(input: { name: $n, role: WORKER }) { key apiKey { id } } }',
      { n: name },
    );
    return { key: createApiKey.key as string, id: createApiKey.apiKey.id as string };
  };
  const registerClient = async (key: string, name: string) =>
    (
      await graphqlData(a.url, key, 'mutation($n: String!) { registerClient(input: { name: $n }) { id } }', {
        n: name,
      })
    ).registerClient.id as string;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    const env = { DATABASE_URL: (db.config as { url: string }).url, ADMIN_API_KEY: ADMIN, LOG_LEVEL: 'warn' };
    [a, b] = await Promise.all([startGateProcess(env), startGateProcess(env)]);
  });
  afterAll(async () => {
    for (const s of opened) s.ws.terminate();
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await db?.drop();
  });

  it('a revoked key: its sockets on both gates close 4403 at once; another key’s stay open', async () => {
    const doomed = await newWorkerKey('doomed');
    const bystander = await newWorkerKey('bystander');
    const onA = open(a.url, { apiKey: doomed.key });
    const onB = open(b.url, { apiKey: doomed.key });
    const other = open(b.url, { apiKey: bystander.key });
    await Promise.all([onA.ready, onB.ready, other.ready]);

    await admin(a.url, 'mutation($id: ID!) { revokeApiKey(input: { id: $id }) { id } }', { id: doomed.id });
    // Both close by themselves (no timeout here but the test's own): gate B heard it from gate A's NOTIFY.
    expect(await onA.closed).toEqual({ code: 4403, reason: 'Forbidden: API key revoked' });
    expect(await onB.closed).toEqual({ code: 4403, reason: 'Forbidden: API key revoked' });
    expect(stillOpen(other)).toBe(true);
    // and the key no longer opens one anywhere (gate B's key cache forgot it too)
    for (const gate of [a, b]) {
      const again = open(gate.url, { apiKey: doomed.key });
      expect((await again.closed).code).toBe(4403);
    }
  });

  it('a disabled client: the sockets that speak for it close on both gates; the key’s other sockets stay', async () => {
    const { key } = await newWorkerKey('fleet');
    const disabled = await registerClient(key, 'fleet-1');
    const spared = await registerClient(key, 'fleet-2');
    const onA = open(a.url, { apiKey: key, clientId: disabled });
    const onB = open(b.url, { apiKey: key, clientId: disabled });
    const sibling = open(b.url, { apiKey: key, clientId: spared });
    await Promise.all([onA.ready, onB.ready, sibling.ready]);

    await admin(b.url, 'mutation($id: ID!) { setClientStatus(input: { id: $id, status: DISABLED }) { status } }', {
      id: disabled,
    });
    expect(await onA.closed).toEqual({ code: 4403, reason: 'Forbidden: client disabled' });
    expect(await onB.closed).toEqual({ code: 4403, reason: 'Forbidden: client disabled' });
    expect(stillOpen(sibling)).toBe(true);
    // A disabled client cannot connect again; nor can a key speak for another key's client.
    expect((await open(a.url, { apiKey: key, clientId: disabled }).closed).code).toBe(4403);
    const stranger = await newWorkerKey('stranger');
    expect((await open(a.url, { apiKey: stranger.key, clientId: spared }).closed).code).toBe(4403);
  });
});
