// Opens the gate's database: embedded PGlite (default) or a PostgreSQL server, both behind the same
// Prisma client. The client is a module-level live binding so services and schema modules import it
// (`import { prisma } from '../db/database.ts'`) instead of carrying it on the request context.
// One gate per process: openDatabase() refuses to open a second one before closeDatabase().
// PGlite and its Prisma adapter are imported only when the gate opens a PGlite data dir (a gate on PostgreSQL
// never holds their code; PGlite's WASM is instantiated by PGlite.create either way).
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import type { DatabaseConfig } from '../config.ts';
import { ensureDataDir } from './data-dir.ts';
import { PgListener } from './listener.ts';
import { freezeOtherDatabases, type OpenPglite } from './pglite-freeze-databases.ts';
import { initdbInChild } from './pglite-initdb.ts';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamptz.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';

/** One database session that can run multi-statement scripts (migrations) and simple queries. */
export interface ScriptSession {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database {
  kind: DatabaseConfig['kind'];
  prisma: PrismaClient;
  /**
   * One statement on the driver itself, past Prisma (for the hot statements: Prisma's query engine costs more per
   * call than the statement on PGlite, and a good share of it on PostgreSQL). `query` is a `Prisma.sql` template;
   * rows come as $queryRaw's would for the types the hot statements return: int8 as bigint, timestamptz as Date,
   * json(b) parsed, uuid/text/enums as strings (arrays of enums are NOT parsed: use $queryRaw for those).
   */
  run<T>(query: Prisma.Sql): Promise<T[]>;
  /** Runs fn on one dedicated session (advisory locks taken there are held by that session). */
  withSession<T>(fn: (session: ScriptSession) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel; survives reconnects on PostgreSQL (every channel shares one connection, and after a
   * reconnect onNotify('') is called so the caller can catch up). Returns an unlisten function.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Tries to take a session-level advisory lock and keep it (on a connection of its own) until release()
   * or until that connection dies — then `held` turns false and another gate may take it. Null: taken.
   */
  tryAdvisoryLock(key: number): Promise<HeldLock | null>;
  close(): Promise<void>;
}

export interface HeldLock {
  readonly held: boolean;
  release(): Promise<void>;
}

export let prisma: PrismaClient = undefined as unknown as PrismaClient;
export let database: Database | undefined;

/** Told of the other databases of a PGlite data dir frozen when it was opened (./pglite-freeze-databases.ts). */
export type OnDatabasesFrozen = (frozen: { databases: string[]; ms: number }) => void;

export async function openDatabase(
  config: DatabaseConfig,
  { poolSize = 10, newPgliteDirInChild = false, onDatabasesFrozen = (() => {}) as OnDatabasesFrozen } = {},
): Promise<Database> {
  if (database) throw new Error('a database is already open in this process');
  const opened =
    config.kind === 'pglite'
      ? await openPglite(config.dataDir, newPgliteDirInChild, onDatabasesFrozen)
      : await openPostgres(config.url, poolSize);
  database = opened;
  prisma = opened.prisma;
  return opened;
}

/** `database.run` on the open database (see Database.run). */
export function run<T>(query: Prisma.Sql): Promise<T[]> {
  if (!database) throw new Error('no database is open in this process');
  return database.run<T>(query);
}

/** What a statement module may run on: the client, or an interactive transaction of it. */
export type QueryRunner = Pick<PrismaClient, '$queryRaw'>;

/**
 * Runs `query` in `tx` when that is an interactive transaction; without one (or given the client itself) on the
 * driver directly (`run`): prepared by name, and without Prisma's parameter and result mapping.
 */
export function runIn<T>(tx: QueryRunner | undefined, query: Prisma.Sql): Promise<T[]> {
  return tx && tx !== prisma ? tx.$queryRaw<T[]>(query) : run<T>(query);
}

/**
 * PGlite's PostgreSQL runs inside the gate's process, in a WASM memory that grows and never shrinks: every buffer it
 * ever touched stays resident. PostgreSQL's default shared_buffers (128 MB) is sized for a server with a page cache
 * beside it; PGlite reads its data dir through node's fs, so the OS page cache is there too, and a smaller buffer
 * pool keeps the gate's RSS down (docs/benchmarks.md: RSS after bench:rest --pglite).
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=32MB'];

/** PostgreSQL's type oid for int8 (bigint). */
const INT8 = 20;

export async function closeDatabase(): Promise<void> {
  const current = database;
  database = undefined;
  prisma = undefined as unknown as PrismaClient;
  await current?.close();
}

/** `newDirInChild`: a data dir that is not a cluster yet is made by a child process (./pglite-initdb.ts). */
async function openPglite(
  dataDir: string,
  newDirInChild: boolean,
  onDatabasesFrozen: OnDatabasesFrozen,
): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) ensureDataDir(dataDir);
  // Before anything touches the files: a second gate on this directory is refused here, at once.
  const lock = inMemory ? null : lockDataDir(dataDir);
  let pglite: PGlite;
  let PrismaPGlite: typeof import('pglite-prisma-adapter').PrismaPGlite;
  try {
    if (newDirInChild && !inMemory) await initdbInChild(dataDir, PGLITE_SETTINGS);
    const [pgliteModule, adapterModule] = await Promise.all([
      import('@electric-sql/pglite'),
      import('pglite-prisma-adapter'),
    ]);
    PrismaPGlite = adapterModule.PrismaPGlite;
    const { PGlite } = pgliteModule;
    // int8 as bigint, as Prisma returns it, set once here rather than passed with every query (PGlite merges
    // per-query parsers into its own on each call). Prisma's adapter still passes its own per query.
    const open: OpenPglite = (name) =>
      PGlite.create(dataDir, {
        database: name,
        parsers: { [INT8]: (value: string) => BigInt(value) },
        startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
      });
    pglite = await open();
    if (!inMemory) {
      const started = performance.now();
      const { pglite: opened, frozen } = await freezeOtherDatabases(pglite, open);
      pglite = opened;
      if (frozen.length) onDatabasesFrozen({ databases: frozen, ms: Math.round(performance.now() - started) });
    }
  } catch (error) {
    lock?.release();
    throw error;
  }
  const client = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  // PGlite is a single session; every "session" is the same one, and concurrent callers are serialised by it.
  const session: ScriptSession = {
    exec: async (sql) => void (await pglite.exec(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await pglite.query<T>(sql, params)).rows,
  };
  return {
    kind: 'pglite',
    prisma: client,
    run: async <T>(query: Prisma.Sql) => (await pglite.query<T>(query.text, query.values)).rows,
    withSession: (fn) => fn(session),
    listen: async (channel, onNotify) => {
      const unlisten = await pglite.listen(channel, onNotify);
      return () => unlisten();
    },
    // One process owns a PGlite data directory (the data-dir lock), so its gate is always the only one.
    tryAdvisoryLock: async () => ({ held: true, release: async () => {} }),
    close: async () => {
      try {
        await client.$disconnect();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** int8 as bigint (pg's default is a string), as Prisma returns it; timestamptz as Dates (timestamptz.ts); everything else as pg parses it. */
const RAW_TYPES = {
  getTypeParser: (oid: number, format?: string) =>
    oid === INT8 ? BigInt : oid === TIMESTAMPTZ_OID ? parseTimestamptz : pg.types.getTypeParser(oid, format as 'text'),
} as pg.CustomTypesConfig;

/** Most statement texts `run` prepares by name; past it a text runs unnamed (planned at each call). */
const MAX_PREPARED = 100;
const preparedNames = new Map<string, string>();

/**
 * The name `run` prepares a statement text under. Each connection parses and plans a named statement once and
 * then only binds and executes it: the claim statement took longer to plan than to run. The hot statements are a
 * fixed set of texts (their values are parameters); the cap keeps a caller that builds texts from its input
 * (a list of placeholders per item) from filling every connection with plans it will not use again.
 */
function preparedName(text: string): string | undefined {
  const known = preparedNames.get(text);
  if (known || preparedNames.size >= MAX_PREPARED) return known;
  const name = `reyestr_${preparedNames.size}`;
  preparedNames.set(text, name);
  return name;
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // Each connection names its gate and its role, so pg_stat_activity shows who holds what (and tests count them).
  const named = (role: string) => ({ connectionString: url, application_name: `reyestr-gate ${process.pid} ${role}` });
  // Bounded whatever happens to the database: at most poolSize connections, and a caller waits at most
  // connectionTimeoutMillis for one (during an outage requests fail with a masked error instead of piling up).
  const pool = new pg.Pool({ ...named('pool'), max: poolSize, connectionTimeoutMillis: 10_000 });
  // An idle client's error (server restart) must not crash the process; the pool replaces the client.
  pool.on('error', () => {});
  // Fail fast with the driver's own message when the server is unreachable or the credentials are wrong.
  const probe = await pool.connect();
  probe.release();
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  const listener = new PgListener({ ...named('listen'), keepAlive: true, connectionTimeoutMillis: 10_000 });
  return {
    kind: 'postgres',
    prisma: client,
    run: async <T>(query: Prisma.Sql) => {
      // Prisma.Sql builds its text again at each read: once here (an upload batch's statement is ~10 kB of it).
      const text = query.text;
      return (await pool.query({ name: preparedName(text), text, values: query.values, types: RAW_TYPES })).rows as T[];
    },
    withSession: async (fn) => {
      const conn = await pool.connect();
      // A connection that dies between two statements emits 'error'; unhandled, it would end the process.
      const ignore = () => {};
      conn.on('error', ignore);
      try {
        return await fn({
          exec: async (sql) => void (await conn.query(sql)),
          query: async <T>(sql: string, params?: unknown[]) => (await conn.query(sql, params)).rows as T[],
        });
      } finally {
        conn.off('error', ignore);
        conn.release();
      }
    },
    listen: (channel, onNotify) => listener.listen(channel, onNotify),
    tryAdvisoryLock: async (key) => {
      const conn = new pg.Client({ ...named('lock'), keepAlive: true, connectionTimeoutMillis: 10_000 });
      conn.on('error', () => {});
      let locked: boolean;
      try {
        await conn.connect();
        [{ locked }] = (await conn.query('SELECT pg_try_advisory_lock($1) AS locked', [key])).rows;
      } catch (error) {
        void conn.end().catch(() => {}); // a failed attempt leaves no connection behind
        throw error;
      }
      if (!locked) {
        await conn.end();
        return null;
      }
      let held = true;
      conn.on('end', () => (held = false));
      return {
        get held() {
          return held;
        },
        release: async () => {
          held = false;
          await conn.end().catch(() => {});
        },
      };
    },
    close: async () => {
      await listener.stop();
      await client.$disconnect();
      await pool.end();
    },
  };
}
