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
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Database, ScriptSession } from '../../server/db/database.ts';
import { applyMigrations, readMigrations } from '../../server/db/migrate.ts';

export const PG_TEMPLATE_ENV = 'REYESTR_TEST_PG_TEMPLATE';
export const PGLITE_TEMPLATE_ENV = 'REYESTR_TEST_PGLITE_TEMPLATE';
export const PGLITE_EMPTY_ENV = 'REYESTR_TEST_PGLITE_EMPTY';
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

const TEMPLATES_ROOT = join(tmpdir(), 'reyestr-test-templates');

const pgliteVersion = () =>
  JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'))
    .version as string;

/** What initdb makes depends on PGlite's version alone. */
const pgliteEmptyDumpPath = () => join(TEMPLATES_ROOT, `pglite-empty-${pgliteVersion()}.tar`);

/** A fresh cluster's data directory as PGlite's own tarball (what its clone() uses), written under a temporary name. */
async function writeEmptyDump(fresh: PGlite): Promise<void> {
  const building = join(TEMPLATES_ROOT, `building-${randomBytes(4).toString('hex')}.tar`);
  writeFileSync(building, Buffer.from(await (await fresh.dumpDataDir('none')).arrayBuffer()));
  renameSync(building, pgliteEmptyDumpPath());
}

/**
 * A fresh, never-migrated PGlite (initdb's output) as a tarball, for test/migrations-drift.test.ts, which replays
 * the migrations itself: loading it costs ~0.6 s of CPU, initdb 2.5–4 s. Made by pgliteTemplateDir's initdb when
 * it builds the template, else here by an initdb of its own; kept beside the template.
 */
export async function pgliteEmptyDump(): Promise<string> {
  const path = pgliteEmptyDumpPath();
  if (existsSync(path)) return path;
  mkdirSync(TEMPLATES_ROOT, { recursive: true });
  const fresh = await PGlite.create();
  try {
    await writeEmptyDump(fresh);
  } finally {
    await fresh.close();
  }
  return path;
}

/** A fresh in-memory PGlite: a copy of the empty dump within a test run (PGLITE_EMPTY_ENV), else initdb. */
export async function freshPglite(): Promise<PGlite> {
  const dump = process.env[PGLITE_EMPTY_ENV];
  if (!dump || !existsSync(dump)) return PGlite.create();
  return PGlite.create({ loadDataDir: new Blob([readFileSync(dump)]) });
}

/**
 * A migrated PGlite data directory, closed. Kept between runs under the OS temp folder, named by a hash of
 * the PGlite version and the migrations: any change makes a new one. Made under a temporary name and
 * renamed, so runs starting together never see half of one (the loser of a race throws its copy away).
 */
export async function pgliteTemplateDir(): Promise<string> {
  const hash = createHash('sha256').update(pgliteVersion());
  for (const migration of readMigrations()) hash.update(`${migration.name}\0${migration.checksum}\0`);
  const dir = join(TEMPLATES_ROOT, `pglite-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  mkdirSync(TEMPLATES_ROOT, { recursive: true });
  const building = mkdtempSync(join(TEMPLATES_ROOT, 'building-'));
  const pglite = await PGlite.create(building);
  try {
    // initdb has just run: keep what it made, before the migrations, if not kept yet (one initdb for both)
    if (!existsSync(pgliteEmptyDumpPath())) await writeEmptyDump(pglite);
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
