// A WebSocket whose key cannot be checked because the database is away must not be told its key is refused:
// 4403 makes a worker stop for good (exit 5, "key refused"). The gate answers 1013 "try again later" instead,
// and the same key is accepted once the database is back.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL } from '../support/databases.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { openSocket } from '../support/subscription-socket.ts';

const CREATE_KEY = `mutation($name: String!) { createApiKey(input: { name: $name, role: WORKER }) { key } }`;

describe('WebSocket key check while the database is away', () => {
  let t: TestGate;
  let admin: pg.Client;
  let databaseName: string;

  beforeAll(async () => {
    t = await startTestGate('postgres');
    databaseName = new URL((t.db.config as { url: string }).url).pathname.slice(1);
    admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`).catch(() => {});
    await admin.end();
    await t?.stop();
    await t?.db.drop();
  });

  it('closes with 1013 (try again later), not 4403, and accepts the key when the database is back', async () => {
    // A key the gate has never looked up, so no cache can answer for it.
    const { createApiKey } = await t.ok(CREATE_KEY, { name: 'outage-worker' });

    // The database away: no new connections, and the gate's open ones ended.
    await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [databaseName]);
    const during = openSocket(t.url, { apiKey: createApiKey.key });
    const closed = await during.closed;
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/try again/i);

    await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`);
    // The pool reconnects on its next query; the key is then accepted (the first tries may still meet dead connections).
    for (;;) {
      const after = openSocket(t.url, { apiKey: createApiKey.key });
      const outcome = await Promise.race([after.ready.then(() => 'ready' as const), after.closed]);
      if (outcome === 'ready') {
        after.ws.close();
        break;
      }
      expect(outcome.code).toBe(1013); // never 4403 for a valid key
    }
  });
});
