// The committed migrations must build exactly what prisma/schema.prisma describes: replay them on a fresh
// in-memory PGlite and let the WASM schema engine diff that database against the schema.
// Fix a failure with `npm run db:migration -- --name <name>` (writes the missing migration).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { applyMigrations, diffDatabaseToSchema, hasStatements } from '../scripts/schema-engine.ts';
import { freshPglite } from './support/database-templates.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = path.join(root, 'prisma', 'schema.prisma');
const migrationsDir = path.join(root, 'prisma', 'migrations');

// One fresh in-memory database for both checks: initdb and the replay of every migration are most of this file's
// CPU, and the second check only needs a database the first found without drift, changed by one column. Fresh:
// initdb's output, loaded from the dump the global set-up keeps (freshPglite) instead of running initdb again.
describe('migrations vs schema.prisma', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPglite();
    const applied = await applyMigrations(db, migrationsDir);
    expect(applied.length).toBeGreaterThan(0);
  });
  afterAll(() => db?.close());

  it('has no drift: the migrations build what the schema describes', async () => {
    const sql = await diffDatabaseToSchema(db, schemaPath);
    // On failure the message shows the SQL of the missing migration.
    expect(hasStatements(sql), sql).toBe(false);
  });

  it('detects drift (the check can fail)', async () => {
    await db.exec('ALTER TABLE tasks DROP COLUMN priority');
    const sql = await diffDatabaseToSchema(db, schemaPath);
    expect(hasStatements(sql)).toBe(true);
    expect(sql).toMatch(/"priority"/);
  });
});
