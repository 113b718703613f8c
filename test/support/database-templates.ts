// Migrated databases made once per test run (test/global-setup.ts), so a test file's database starts as a copy
// instead of running initdb and every migration again:
// - PostgreSQL: a template database; each file's database is `CREATE DATABASE … TEMPLATE` of it (a block copy
//   on the server) instead of an empty one the gate then migrates.
// - PGlite: a closed data directory; each file copies it. A fresh PGlite runs initdb in WASM (2–6 s of CPU
//   on this 2-core box, 10–30 s wall under load), a copy opens in about half a second of CPU.
// Both are made by the gate's own migrator (server/db/migrate.ts), so a gate starting on a copy finds every
// migration applied with the same checksums; the copies are real, writable databases like before.
// The names travel to the test processes as environment variables (set before vitest starts its workers).
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Database, ScriptSession } from '../../server/db/database.ts';
import { applyMigrations, readMigrations } from '../../server/db/migrate.ts';

export const PG_TEMPLATE_ENV = 'REYESTR_TEST_PG_TEMPLATE';
export const PGLITE_TEMPLATE_ENV = 'REYESTR_TEST_PGLITE_TEMPLATE';
const PG_TEMPLATE_PREFIX = 'reyestr_tpl_';

/** applyMigrations on one session (all it uses of a Database). */
const migrate = (session: ScriptSession) =>
  applyMigrations({ withSession: (fn) => fn(session) } as Pick<Database, 'withSession'> as Database);

/**
 * A migrated template database on the server, for this run only (the name carries this process's pid, so a
 * later run can drop the ones a killed run left behind). Connections to it are refused from then on: a
 * template nobody is connected to is what CREATE DATABASE … TEMPLATE needs. Null when the server is down.
 */
export async function createPostgresTemplate(adminUrl: string): Promise<string | null> {
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch {
    return null; // tests that need PostgreSQL will say so themselves
  }
  try {
    await dropAbandonedTemplates(admin);
    const name = `${PG_TEMPLATE_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await migrate({
        exec: async (sql) => void (await client.query(sql)),
        query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
      });
    } finally {
      await client.end();
    }
    await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
    return name;
  } finally {
    await admin.end();
  }
}

export async function dropPostgresTemplate(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  } finally {
    await admin.end();
  }
}

/** Templates of runs whose process is gone (killed before their teardown). */
async function dropAbandonedTemplates(admin: pg.Client) {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE '${PG_TEMPLATE_PREFIX}%'`,
  );
  for (const { datname } of rows) {
    const pid = Number(datname.slice(PG_TEMPLATE_PREFIX.length).split('_')[0]);
    if (!Number.isInteger(pid) || processAlive(pid)) continue;
    await admin.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => {});
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A migrated PGlite data directory, closed. Kept between runs under the OS temp folder, named by a hash of
 * the PGlite version and the migrations: any change makes a new one. Made under a temporary name and
 * renamed, so runs starting together never see half of one (the loser of a race throws its copy away).
 */
export async function pgliteTemplateDir(): Promise<string> {
  const pgliteVersion = JSON.parse(
    readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'),
  ).version as string;
  const hash = createHash('sha256').update(pgliteVersion);
  for (const migration of readMigrations()) hash.update(`${migration.name}\0${migration.checksum}\0`);
  const root = join(tmpdir(), 'reyestr-test-templates');
  const dir = join(root, `pglite-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  mkdirSync(root, { recursive: true });
  const building = mkdtempSync(join(root, 'building-'));
  const pglite = await PGlite.create(building);
  try {
    await migrate({
      exec: async (sql) => void (await pglite.exec(sql)),
      query: async <T>(sql: string, params?: unknown[]) => (await pglite.query<T>(sql, params)).rows,
    });
  } finally {
    await pglite.close();
  }
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another run made it first
  }
  return dir;
}

/** A private, writable copy of the PGlite template (in a new temporary folder), or null without one. */
export function copyPgliteTemplate(): string | null {
  const template = process.env[PGLITE_TEMPLATE_ENV];
  if (!template || !existsSync(join(template, 'PG_VERSION'))) return null;
  const dir = mkdtempSync(join(tmpdir(), 'reyestr-test-pglite-'));
  cpSync(template, dir, { recursive: true });
  return dir;
}
