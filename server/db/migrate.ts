// The gate's own migrator: applies prisma/migrations/<name>/migration.sql in name order at start-up, on
// PGlite and PostgreSQL alike. Prisma's CLI cannot run migrations here (its schema engine is a native
// download), so this keeps Prisma's folder layout and its `_prisma_migrations` bookkeeping table: a user
// with the native engine can still run `prisma migrate deploy` / `migrate status` against the same database.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { projectPath } from '../project-root.ts';
import type { Database, ScriptSession } from './database.ts';

export const MIGRATIONS_DIR = projectPath('prisma', 'migrations');
/** Serialises gates that start at the same time against one database. */
const MIGRATION_LOCK_KEY = 7_250_001;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${dir}/${entry.name}/migration.sql`))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(`${dir}/${name}/migration.sql`, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Applies pending migrations, each in its own transaction. Returns the names it applied. */
export async function applyMigrations(db: Database, migrations = readMigrations()): Promise<string[]> {
  return db.withSession(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await ensureBookkeepingTable(session);
      const applied = new Map(
        (
          await session.query<{ migration_name: string; checksum: string }>(
            'SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
          )
        ).map((row) => [row.migration_name, row.checksum]),
      );
      const done: string[] = [];
      for (const migration of migrations) {
        const appliedChecksum = applied.get(migration.name);
        if (appliedChecksum !== undefined) {
          if (appliedChecksum !== migration.checksum) {
            throw new Error(`migration ${migration.name} was changed after it was applied (checksum differs)`);
          }
          continue;
        }
        await applyOne(session, migration);
        done.push(migration.name);
      }
      return done;
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

async function ensureBookkeepingTable(session: ScriptSession) {
  // The same definition Prisma's schema engine creates.
  await session.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"            VARCHAR(64) NOT NULL,
    "finished_at"         TIMESTAMPTZ,
    "migration_name"      VARCHAR(255) NOT NULL,
    "logs"                TEXT,
    "rolled_back_at"      TIMESTAMPTZ,
    "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`);
}

async function applyOne(session: ScriptSession, migration: Migration) {
  await session.exec('BEGIN');
  try {
    await session.exec(migration.sql);
    await session.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => {});
    throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
  }
}
