// Starts a real gate on loopback for a test file, with a short lease and sweep interval, and gives typed-
// enough helpers to talk to it over HTTP (GraphQL) and WebSocket (graphql-ws).
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { GateConfig } from '../../server/config.ts';
import { prisma } from '../../server/db/database.ts';
import { startGate, type Gate } from '../../server/gate.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { createTestDatabase, type StorageKind, type TestDatabase } from './databases.ts';
import { safetyNet, WAIT_FLOOR_MS } from './deadlines.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestGate {
  gate: Gate;
  url: string;
  graphqlUrl: string;
  db: TestDatabase;
  /** POST a GraphQL operation; returns the parsed body (data and errors) and the HTTP status. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GqlResult<T>>;
  /** Like gql but throws on errors and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<T>;
  ws(key?: string | null): WsClient;
  /**
   * Stops this gate and starts a new one on the same database (with other settings, if given).
   * `keepPort`: listen on the same port again (clients reconnect to the same URL); `whileDown` runs
   * between the stop and the start.
   */
  restart(
    overrides?: Partial<GateConfig>,
    options?: { keepPort?: boolean; whileDown?: () => Promise<void>; logTo?: LogDestination },
  ): Promise<TestGate>;
  stop(): Promise<void>;
}

export interface GqlResult<T> {
  status: number;
  data: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; reason?: string; [k: string]: unknown } }>;
}

/** The settings test gates run with: loopback, a random port, auth on with ADMIN_KEY, sweeps only on demand. */
export function testGateConfig(db: TestDatabase, overrides: Partial<GateConfig> = {}): GateConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    database: db.config,
    authEnabled: true,
    adminApiKey: ADMIN_KEY,
    leaseSeconds: 60,
    sweepIntervalMs: 60_000, // tests call gate.sweeper.tick() when they want a sweep
    pgliteVacuumIntervalMs: 0, // tests call gate.pgliteVacuum.tick() when they want a pass (test/gate/pglite-vacuum.test.ts)
    followTickMs: 3_600_000, // tests run follows themselves (gate.scheduler.tick() or the services with a clock)
    clientInactiveSeconds: 180,
    retryBaseSeconds: 0,
    retryMaxSeconds: 0,
    maxAttempts: 3,
    logLevel: (process.env.TEST_LOG_LEVEL as GateConfig['logLevel']) ?? 'silent',
    ...overrides,
  };
}

/** Where a test gate's log lines go (stdout when not given). */
export type LogDestination = { write(line: string): void };

export async function startTestGate(
  storage: StorageKind,
  overrides: Partial<GateConfig> = {},
  existingDb?: TestDatabase,
  { logTo }: { logTo?: LogDestination } = {},
): Promise<TestGate> {
  const db = existingDb ?? (await createTestDatabase(storage));
  const config = testGateConfig(db, overrides);
  const gate = await startGate(config, { logger: createLogger(config.logLevel, logTo) });
  const graphqlUrl = `${gate.url}/graphql`;
  const sockets: WsClient[] = [];
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, key: string | null = ADMIN_KEY) => {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GqlResult<T>;
    return { ...body, status: res.status };
  };
  return {
    gate,
    url: gate.url,
    graphqlUrl,
    db,
    gql,
    ok: async (query, variables, key) => {
      const r = await gql(query, variables, key);
      if (r.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(r.errors)}`);
      return r.data as any;
    },
    ws: (key = ADMIN_KEY) => {
      const client = createClient({
        url: graphqlUrl.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: key ? { apiKey: key } : {},
        retryAttempts: 0,
        lazy: true,
      });
      sockets.push(client);
      return client;
    },
    restart: async (more = {}, { keepPort = false, whileDown, logTo: nextLogTo } = {}) => {
      await Promise.all(sockets.map((s) => s.dispose()));
      await gate.stop();
      await whileDown?.();
      const next = await startTestGate(
        storage,
        { ...overrides, ...(keepPort ? { port: gate.port } : {}), ...more },
        db,
        { logTo: nextLogTo },
      );
      // the new gate owns the database now
      return { ...next, stop: async () => (await next.stop(), existingDb ? undefined : db.drop()) };
    },
    stop: async () => {
      await Promise.all(sockets.map((s) => s.dispose()));
      await gate.stop();
      if (!existingDb) await db.drop();
    },
  };
}

/**
 * Collects the next `count` results of a subscription (or fails after timeoutMs — never less than WAIT_FLOOR_MS:
 * the results must come, and on a busy box they may take a while).
 */
export function collect<T = any>(
  client: WsClient,
  query: string,
  variables: Record<string, unknown>,
  count: number,
  asked = WAIT_FLOOR_MS,
) {
  const timeoutMs = safetyNet(asked);
  const items: T[] = [];
  let unsubscribe = () => {};
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<T[]>((resolve, reject) => {
    timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`subscription: got ${items.length} of ${count} results in ${timeoutMs} ms`));
    }, timeoutMs);
    unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) {
            clearTimeout(timer);
            reject(new Error(JSON.stringify(value.errors)));
            return;
          }
          items.push(value.data as T);
          if (items.length >= count) {
            clearTimeout(timer);
            unsubscribe();
            resolve(items);
          }
        },
        error: (error) => {
          clearTimeout(timer);
          const close = error as { code?: number; reason?: string };
          reject(
            error instanceof Error
              ? error
              : new Error(close.code ? `socket closed: ${close.code} ${close.reason ?? ''}` : JSON.stringify(error)),
          );
        },
        complete: () => {},
      },
    );
  });
  // Unsubscribing on purpose ends the wait too (`done` then never settles: nobody is left to fail).
  return {
    done,
    items,
    unsubscribe: () => {
      clearTimeout(timer);
      unsubscribe();
    },
  };
}

/**
 * Rolls the event log up into the activity rollups until they hold every event written so far (each gate does it
 * once a second by itself; this hurries it). A round moves nothing while an older transaction of the database is
 * running (the horizon waits for it: the pump's read, say, longer on a busy box), so it takes as many rounds as it
 * takes, not a fixed number; the deadline is a safety net. Returns the seq they reach.
 */
export async function rolledUpLog(gate: Gate): Promise<bigint> {
  const last = (await prisma.taskEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }))?.seq ?? 0n;
  const pointer = async () => (await prisma.activityRollup.findUniqueOrThrow({ where: { id: 1 } })).rolledUpTo;
  const until = Date.now() + WAIT_FLOOR_MS;
  while ((await pointer()) < last && Date.now() < until) await gate.activityRollup.tick();
  return pointer();
}
