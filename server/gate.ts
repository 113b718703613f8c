// startGate(): the gate's life cycle — database, migrations, event pump, sweeper, the HTTP server (whose
// requests http/dispatch.ts routes) and GraphQL over WebSocket — started in order and stopped in reverse.
// main.ts, the CLI and tests all build gates this way.
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { DEFAULT_LIMITS, DEFAULT_PGLITE_VACUUM_INTERVAL_MS, type GateConfig, type Limits } from './config.ts';
import { closeDocumentStore, openDocumentStore } from './corpus/store/index.ts';
import { closeDatabase, openDatabase, type Database } from './db/database.ts';
import { compileWasmOneFunctionAtATime, keepLaterWasmOnBaseline } from './db/wasm-tier.ts';
import { applyMigrations } from './db/migrate.ts';
import { backfillTypedMetadata } from './services/document-index.ts';
import { startSearchIndexer } from './services/search-indexer.ts';
import { EventBus } from './events/bus.ts';
import { endSocketsOfRevokedOwners, SocketOwners } from './graphql/socket-owners.ts';
import { StatsFeed } from './events/stats-feed.ts';
import { createGraphQLServer, GRAPHQL_PATH } from './graphql-server.ts';
import { createGraphiQL } from './graphql/graphiql.ts';
import { createDispatcher, requestIdOf } from './http/dispatch.ts';
import { graphqlJsonPost } from './graphql/json-post.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { createDashboard } from './dashboard/serve.ts';
import { AlertMonitor } from './observability/alert-monitor.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics, type GateMetrics } from './observability/metrics.ts';
import { createRestApi } from './rest/index.ts';
import { FollowScheduler } from './scheduler.ts';
import { Sweeper } from './sweeper.ts';
import { ActivityRollup } from './activity-rollup.ts';
import { PgliteVacuum } from './pglite-vacuum.ts';
import { ensureAdminKey } from './services/api-keys.ts';
import { clearServiceCaches } from './services/caches.ts';
import { configurePolicy } from './services/policy.ts';

/**
 * How long an idle keep-alive connection stays open (Node's default is 5 s). Its clock starts when a response has
 * been handed to the kernel, not when the client has read it: a client still reading a large answer (GraphiQL's
 * 1.4 MB bundle, on a busy box) met the gate's close right behind the body and lost the request it had just sent
 * on that connection ("other side closed"). Above nginx's upstream keepalive_timeout (60 s, deploy/), so nginx is
 * the side that lets an idle connection go.
 */
const KEEP_ALIVE_MS = 65_000;

/** How often each gate rolls the event log up into the activity charts' counters (readers add the rest themselves). */
const ACTIVITY_ROLLUP_MS = 1000;

export interface Gate {
  /** http://host:port of the running gate */
  readonly url: string;
  readonly port: number;
  readonly bus: EventBus;
  readonly statsFeed: StatsFeed;
  readonly sweeper: Sweeper;
  readonly activityRollup: ActivityRollup;
  readonly scheduler: FollowScheduler;
  /** vacuums and analyzes an embedded PGlite database; null on PostgreSQL (its autovacuum does) */
  readonly pgliteVacuum: PgliteVacuum | null;
  readonly database: Database;
  /** The first admin key when this start created it (print it once), else null. */
  readonly createdAdminKey: string | null;
  readonly metrics: GateMetrics;
  /** the ALERT_WEBHOOK_URL monitor; null when no webhook is set */
  readonly alerts: AlertMonitor | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /**
   * The gate has this process to itself (server/main.ts): WASM is compiled one function at a time, WASM instantiated
   * after the database opens (Prisma's query compiler) stays on V8's baseline tier (db/wasm-tier.ts), and a new PGlite data dir is made by a child process
   * (db/pglite-initdb.ts). Off where one process opens gate after gate (tests).
   */
  ownProcess?: boolean;
}

export async function startGate(config: GateConfig, { logger, ownProcess = false }: StartOptions = {}): Promise<Gate> {
  const log = logger ?? createLogger(config.logLevel);
  configurePolicy({
    leaseSeconds: config.leaseSeconds,
    maxAttempts: config.maxAttempts,
    maxStalls: config.maxStalls ?? 5,
    retryBaseSeconds: config.retryBaseSeconds,
    retryMaxSeconds: config.retryMaxSeconds,
    clientInactiveSeconds: config.clientInactiveSeconds,
    eventRetentionDays: config.eventRetentionDays ?? 30,
  });

  const limits: Limits = { ...DEFAULT_LIMITS, ...config.limits };
  // How long each step of the start took (logged once at debug level: where start-up time goes).
  const startTimes: Record<string, number> = {};
  let stepStarted = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    startTimes[name] = Math.round(now - stepStarted);
    stepStarted = now;
  };
  const metrics = createMetrics();
  clearServiceCaches(); // this process may have run a gate on another database before (tests do)
  // An address the gate cannot listen on (port taken, not this machine's, a name that does not resolve) fails
  // now, in a moment, rather than after opening the database (seconds for embedded PGlite) and migrating it.
  // The real listen below still reports the same errors should the address be taken in between.
  await listen(createServer(), config.port, config.host).then((probe) => closeServer(probe));
  if (ownProcess) compileWasmOneFunctionAtATime();
  const database = await openDatabase(config.database, {
    newPgliteDirInChild: ownProcess,
    onDatabasesFrozen: (frozen) => log.info(frozen, 'pglite: froze the databases past the freeze age (wraparound)'),
  }).catch((error) => {
    metrics.dispose();
    throw error;
  });
  step('openDatabase');
  // Before the first Prisma query, which instantiates its query compiler; PGlite's WASM is already running.
  if (ownProcess) keepLaterWasmOnBaseline();
  let server: Server | undefined;
  let bus: EventBus | undefined;
  let sweeper: Sweeper | undefined;
  let activityRollup: ActivityRollup | undefined;
  let scheduler: FollowScheduler | undefined;
  let pgliteVacuum: PgliteVacuum | null = null;
  let alerts: AlertMonitor | null = null;
  let indexer: ReturnType<typeof startSearchIndexer> | undefined;
  let closeWs: (() => Promise<void>) | undefined;
  const stop = async () => {
    // Stop accepting first: a worker reconnecting while we close would otherwise open a WebSocket that
    // keeps the server from ever finishing its close.
    const closed = server?.listening ? new Promise<void>((resolve) => server!.close(() => resolve())) : null;
    await closeWs?.();
    server?.closeAllConnections();
    await closed;
    await sweeper?.stop();
    await activityRollup?.stop();
    await scheduler?.stop();
    await pgliteVacuum?.stop();
    await alerts?.stop();
    await bus?.stop();
    await indexer?.stop();
    await closeDatabase();
    await closeDocumentStore();
    metrics.dispose();
  };

  try {
    await applyMigrations(database);
    step('migrations');
    const typed = await backfillTypedMetadata();
    step('typedMetadataBackfill');
    if (typed > 0) log.info({ documents: typed }, 'typed metadata filled for documents registered before it existed');
    const { createdKey: createdAdminKey, envKeyRevokedAt } = await ensureAdminKey(config);
    if (envKeyRevokedAt) {
      log.warn(
        { revokedAt: envKeyRevokedAt.toISOString() },
        'ADMIN_API_KEY was revoked and stays revoked; set a new ADMIN_API_KEY value to have an admin key from the environment',
      );
    }
    step('adminKey');
    const store = await openDocumentStore(config.documentStore, config.corpus);
    log.info({ store: store.label }, 'document store');
    indexer = startSearchIndexer(log);
    bus = new EventBus(database);
    await bus.start();
    step('eventBus');
    sweeper = new Sweeper(database, config.sweepIntervalMs, log);
    activityRollup = new ActivityRollup(database, ACTIVITY_ROLLUP_MS, log);
    scheduler = new FollowScheduler(database, config.followTickMs ?? 30_000, log);
    if (database.kind === 'pglite') {
      pgliteVacuum = new PgliteVacuum(
        database,
        config.pgliteVacuumIntervalMs ?? DEFAULT_PGLITE_VACUUM_INTERVAL_MS,
        log,
        {
          onVacuumStep: (done) =>
            metrics.pgliteVacuumSeconds.observe({ table: done.table, action: done.action }, done.ms / 1000),
          onOldestXidAge: (age) => metrics.pgliteXidAge.set(age),
        },
      );
    }

    const rateLimiter = new RateLimiter(limits.mutationsPerMinute);
    const statsFeed = new StatsFeed(bus);
    const { yoga, attachWebSocket } = createGraphQLServer({
      bus,
      statsFeed,
      authEnabled: config.authEnabled,
      sharedSubscriptions: config.sharedSubscriptions ?? true,
      sharedDirectWrites: config.sharedDirectWrites ?? true,
      log,
      limits,
      rateLimiter,
      metrics,
    });
    const rest = createRestApi({
      authEnabled: config.authEnabled,
      bodyLimitBytes: limits.bodyLimitBytes,
      rateLimiter,
      log,
    });
    step('graphqlAndRest');
    const dashboard = createDashboard(); // reads its files once, now

    const graphiql = createGraphiQL({ endpoint: GRAPHQL_PATH, title: 'reyestr gate' });
    const graphql = graphqlJsonPost(yoga, GRAPHQL_PATH, limits.bodyLimitBytes);
    server = createServer(createDispatcher({ graphql, rest, dashboard, graphiql, metrics, limits, log }));
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.on('upgrade', (req) =>
      log.info({ reqId: requestIdOf(req), path: (req.url ?? '/').split('?')[0] }, 'websocket upgrade'),
    );
    // Revoked keys and disabled clients end their WebSockets, whichever gate revoked or disabled them.
    const owners = new SocketOwners();
    const stopEnding = endSocketsOfRevokedOwners(bus, owners, log);
    const ws = attachWebSocket(server, owners);
    closeWs = async () => {
      stopEnding();
      await ws.close();
    };
    await listen(server, config.port, config.host);
    sweeper.start();
    activityRollup.start();
    scheduler.start();
    if (config.pgliteVacuumIntervalMs !== 0) pgliteVacuum?.start();
    step('listen');
    log.debug({ ms: startTimes }, 'start-up steps');

    const port = (server.address() as AddressInfo).port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    if (config.alerts) {
      // The alerts' `instance`: this machine and port, as a scrape target would name the gate.
      const instance = `${config.host === '0.0.0.0' || config.host === '::' ? hostname() : shownHost}:${port}`;
      alerts = new AlertMonitor(database, config.alerts, instance, log);
      alerts.start();
      log.info({ webhook: new URL(config.alerts.webhookUrl).origin, instance }, 'alerts go to a webhook');
    }
    return {
      url: `http://${shownHost}:${port}`,
      port,
      bus,
      statsFeed,
      sweeper,
      activityRollup,
      scheduler,
      pgliteVacuum,
      database,
      createdAdminKey,
      metrics,
      alerts,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

function listen(server: Server, port: number, host: string) {
  return new Promise<Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
