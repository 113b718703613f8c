// Test databases: a fresh PostgreSQL database per test file on the local server (127.0.0.1:5432, as CI
// provides), or a PGlite of its own. Both are real PostgreSQL; nothing is mocked. Within a vitest run both start
// as copies of migrated templates (test/support/database-templates.ts, made by test/global-setup.ts); outside
// one (benches) they start empty and the gate migrates them.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConfig } from '../../server/config.ts';
import { copyPgliteTemplate, PG_TEMPLATE_ENV } from './database-templates.ts';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

export async function createPostgresDatabase(prefix = 'reyestr_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const template = process.env[PG_TEMPLATE_ENV];
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
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

/** A PGlite of its own: a copy of the migrated template in a temporary folder, or in memory without one. */
export function pgliteDatabase(): TestDatabase {
  const dataDir = copyPgliteTemplate();
  if (!dataDir) return { config: { kind: 'pglite', dataDir: 'memory://' }, drop: async () => {} };
  return {
    config: { kind: 'pglite', dataDir },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/**
 * A DATA_DIR for a gate process of its own: a copy of the migrated PGlite template, or an empty temporary folder
 * without one. Tests of how a gate makes a new data directory (initdb) use an empty folder themselves.
 */
export const pgliteDataDir = (): string => copyPgliteTemplate() ?? mkdtempSync(join(tmpdir(), 'reyestr-test-pglite-'));

export type StorageKind = 'postgres' | 'pglite';
export const createTestDatabase = (kind: StorageKind) =>
  kind === 'postgres' ? createPostgresDatabase() : Promise.resolve(pgliteDatabase());
