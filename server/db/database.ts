// Opens the gate's database: embedded PGlite (default) or a PostgreSQL server, both behind the same
// Prisma client. The client is a module-level live binding so services and schema modules import it
// (`import { prisma } from '../db/database.ts'`) instead of carrying it on the request context.
// One gate per process: openDatabase() refuses to open a second one before closeDatabase().
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { mkdirSync } from 'node:fs';
import type { DatabaseConfig } from '../config.ts';
import { PrismaClient } from '../generated/prisma/client.ts';

/** One database session that can run multi-statement scripts (migrations) and simple queries. */
export interface ScriptSession {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database {
  kind: DatabaseConfig['kind'];
  prisma: PrismaClient;
  /** Runs fn on one dedicated session (advisory locks taken there are held by that session). */
  withSession<T>(fn: (session: ScriptSession) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; survives reconnects on PostgreSQL. Returns an unlisten function. */
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

export async function openDatabase(config: DatabaseConfig, { poolSize = 10 } = {}): Promise<Database> {
  if (database) throw new Error('a database is already open in this process');
  const opened = config.kind === 'pglite' ? await openPglite(config.dataDir) : await openPostgres(config.url, poolSize);
  database = opened;
  prisma = opened.prisma;
  return opened;
}

export async function closeDatabase(): Promise<void> {
  const current = database;
  database = undefined;
  prisma = undefined as unknown as PrismaClient;
  await current?.close();
}

async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  const client = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  // PGlite is a single session; every "session" is the same one, and concurrent callers are serialised by it.
  const session: ScriptSession = {
    exec: async (sql) => void (await pglite.exec(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await pglite.query<T>(sql, params)).rows,
  };
  return {
    kind: 'pglite',
    prisma: client,
    withSession: (fn) => fn(session),
    listen: async (channel, onNotify) => {
      const unlisten = await pglite.listen(channel, onNotify);
      return () => unlisten();
    },
    // One process owns a PGlite data directory, so its gate is always the only one.
    tryAdvisoryLock: async () => ({ held: true, release: async () => {} }),
    close: async () => {
      await client.$disconnect();
      await pglite.close();
    },
  };
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  // An idle client's error (server restart) must not crash the process; the pool replaces the client.
  pool.on('error', () => {});
  // Fail fast with the driver's own message when the server is unreachable or the credentials are wrong.
  const probe = await pool.connect();
  probe.release();
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  const listeners: Array<{ stop(): Promise<void> }> = [];
  return {
    kind: 'postgres',
    prisma: client,
    withSession: async (fn) => {
      const conn = await pool.connect();
      try {
        return await fn({
          exec: async (sql) => void (await conn.query(sql)),
          query: async <T>(sql: string, params?: unknown[]) => (await conn.query(sql, params)).rows as T[],
        });
      } finally {
        conn.release();
      }
    },
    listen: async (channel, onNotify) => {
      const listener = await startListener(url, channel, onNotify);
      listeners.push(listener);
      return () => listener.stop();
    },
    tryAdvisoryLock: async (key) => {
      const conn = new pg.Client({ connectionString: url });
      conn.on('error', () => {});
      await conn.connect();
      const [{ locked }] = (await conn.query('SELECT pg_try_advisory_lock($1) AS locked', [key])).rows;
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
      await Promise.all(listeners.map((l) => l.stop()));
      await client.$disconnect();
      await pool.end();
    },
  };
}

/**
 * LISTEN needs a dedicated connection (the Prisma pool hands connections around). When the connection
 * drops (database restart) it reconnects with backoff and calls onNotify('') so the reader catches up
 * on whatever it missed while disconnected.
 */
async function startListener(url: string, channel: string, onNotify: (payload: string) => void) {
  let stopped = false;
  let current: pg.Client | undefined;
  const quoted = `"${channel.replace(/"/g, '""')}"`;
  const connect = async (): Promise<void> => {
    const conn = new pg.Client({ connectionString: url });
    conn.on('notification', (msg) => onNotify(msg.payload ?? ''));
    conn.on('error', () => {});
    conn.on('end', () => {
      if (!stopped) void reconnect();
    });
    await conn.connect();
    await conn.query(`LISTEN ${quoted}`);
    current = conn;
  };
  const reconnect = async () => {
    for (let delay = 200; !stopped; delay = Math.min(delay * 2, 5_000)) {
      await new Promise((r) => setTimeout(r, delay));
      try {
        await connect();
        onNotify('');
        return;
      } catch {
        // keep trying until the database is back or the gate stops
      }
    }
  };
  await connect();
  return {
    stop: async () => {
      stopped = true;
      await current?.end().catch(() => {});
    },
  };
}
