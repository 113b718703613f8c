// The committed migrations must build exactly what prisma/schema.prisma describes: replay them on a fresh
// in-memory PGlite and let the WASM schema engine diff that database against the schema.
// Fix a failure with `npm run db:migration -- --name <name>` (writes the missing migration).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, diffDatabaseToSchema, hasStatements } from '../scripts/schema-engine.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = path.join(root, 'prisma', 'schema.prisma');
const migrationsDir = path.join(root, 'prisma', 'migrations');

/** Fresh in-memory database with every migration applied; closed after `fn`. */
async function withMigratedDb<T>(fn: (db: PGlite) => Promise<T>): Promise<T> {
  const db = new PGlite();
  try {
    const applied = await applyMigrations(db, migrationsDir);
    expect(applied.length).toBeGreaterThan(0);
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe('migrations vs schema.prisma', () => {
  it('has no drift: the migrations build what the schema describes', async () => {
    const sql = await withMigratedDb((db) => diffDatabaseToSchema(db, schemaPath));
    // On failure the message shows the SQL of the missing migration.
    expect(hasStatements(sql), sql).toBe(false);
  });

  it('detects drift (the check can fail)', async () => {
    const sql = await withMigratedDb(async (db) => {
      await db.exec('ALTER TABLE tasks DROP COLUMN priority');
      return diffDatabaseToSchema(db, schemaPath);
    });
    expect(hasStatements(sql)).toBe(true);
    expect(sql).toMatch(/"priority"/);
  });
});
