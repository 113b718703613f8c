// Test databases: a fresh PostgreSQL database per test file on the local server (127.0.0.1:5432, as CI
// provides), or an in-memory PGlite. Both are real PostgreSQL; nothing is mocked.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { DatabaseConfig } from '../../server/config.ts';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

export async function createPostgresDatabase(prefix = 'reyestr_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString(), display: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function pgliteMemory(): TestDatabase {
  return { config: { kind: 'pglite', dataDir: 'memory://' }, drop: async () => {} };
}

export type StorageKind = 'postgres' | 'pglite';
export const createTestDatabase = (kind: StorageKind) =>
  kind === 'postgres' ? createPostgresDatabase() : Promise.resolve(pgliteMemory());
