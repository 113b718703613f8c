// createGate(): the whole gate — database, migrations, event pump, sweeper, GraphQL over HTTP and
// WebSocket — with start() and stop(). main.ts, the CLI and tests all build gates this way.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DEFAULT_LIMITS, type GateConfig, type Limits } from './config.ts';
import { closeDatabase, openDatabase, type Database } from './db/client.ts';
import { applyMigrations } from './db/migrate.ts';
import { EventBus } from './events/bus.ts';
import { createGraphQLServer, GRAPHQL_PATH } from './graphql-server.ts';
import { declaredLengthOver } from './http/body.ts';
import { applyCors } from './http/cors.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { createDashboard, DASHBOARD_PATH } from './dashboard/serve.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics, type GateMetrics } from './observability/metrics.ts';
import { createRestApi } from './rest/index.ts';
import { sendJson } from './rest/http.ts';
import { Sweeper } from './maintenance.ts';
import { ensureAdminKey } from './services/api-keys.ts';
import { clearServiceCaches } from './services/caches.ts';
import { configurePolicy } from './services/policy.ts';

export interface Gate {
  /** http://host:port of the running gate */
  readonly url: string;
  readonly port: number;
  readonly bus: EventBus;
  readonly sweeper: Sweeper;
  readonly database: Database;
  /** The first admin key when this start created it (print it once), else null. */
  readonly createdAdminKey: string | null;
  readonly metrics: GateMetrics;
  stop(): Promise<void>;
}

export async function startGate(config: GateConfig, { logger }: { logger?: Logger } = {}): Promise<Gate> {
  const log = logger ?? createLogger(config.logLevel);
  configurePolicy({
    leaseSeconds: config.leaseSeconds,
    maxAttempts: config.maxAttempts,
    retryBaseSeconds: config.retryBaseSeconds,
    retryMaxSeconds: config.retryMaxSeconds,
    clientInactiveSeconds: config.clientInactiveSeconds,
    eventRetentionDays: config.eventRetentionDays ?? 30,
  });

  const limits: Limits = { ...DEFAULT_LIMITS, ...config.limits };
  const metrics = createMetrics();
  clearServiceCaches(); // this process may have run a gate on another database before (tests do)
  const database = await openDatabase(config.database).catch((error) => {
    metrics.dispose();
    throw error;
  });
  let server: Server | undefined;
  let bus: EventBus | undefined;
  let sweeper: Sweeper | undefined;
  let closeWs: (() => Promise<void>) | undefined;
  const stop = async () => {
    // Stop accepting first: a worker reconnecting while we close would otherwise open a WebSocket that
    // keeps the server from ever finishing its close.
    const closed = server?.listening ? new Promise<void>((resolve) => server!.close(() => resolve())) : null;
    await closeWs?.();
    server?.closeAllConnections();
    await closed;
    await sweeper?.stop();
    await bus?.stop();
    await closeDatabase();
    metrics.dispose();
  };

  try {
    await applyMigrations(database);
    const createdAdminKey = await ensureAdminKey(config);
    bus = new EventBus(database);
    await bus.start();
    sweeper = new Sweeper(database, config.sweepIntervalMs, log);

    const rateLimiter = new RateLimiter(limits.mutationsPerMinute);
    const { yoga, attachWebSocket } = createGraphQLServer({
      bus,
      authEnabled: config.authEnabled,
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
    const dashboard = createDashboard(); // reads its files once, now

    /** Serves one request; `seen.route` names what answered (a route pattern), for metrics and logs. */
    const route = async (
      req: IncomingMessage,
      res: ServerResponse,
      url: URL,
      seen: { route: string },
    ): Promise<void> => {
      const path = url.pathname;
      if (applyCors(req, res, limits.corsOrigins)) {
        seen.route = 'preflight';
        return;
      }
      if (path === GRAPHQL_PATH || path.startsWith(`${GRAPHQL_PATH}/`)) {
        seen.route = GRAPHQL_PATH;
        if (req.method === 'POST') {
          // Yoga reads GraphQL bodies itself: refuse oversized ones by their declared length, and bodies
          // without one (chunked), which could not be limited before Yoga buffers them.
          if (declaredLengthOver(req, limits.bodyLimitBytes) !== null) {
            return sendJson(
              res,
              413,
              { detail: `Request body too large (limit ${limits.bodyLimitBytes} bytes)` },
              { connection: 'close' },
            );
          }
          if (req.headers['content-length'] === undefined) {
            return sendJson(res, 411, { detail: 'Length Required' }, { connection: 'close' });
          }
        }
        return void (await yoga(req, res));
      }
      if (path === '/metrics' && req.method === 'GET') {
        seen.route = '/metrics';
        const body = await metrics.render();
        return void res.writeHead(200, { 'content-type': metrics.contentType }).end(body);
      }
      if (dashboard(req, res, path)) {
        seen.route = DASHBOARD_PATH;
        return;
      }
      const matched = rest(req, res, path, url.searchParams);
      if (!matched) return sendJson(res, 404, { detail: 'Not Found' });
      seen.route = matched.pattern;
      await matched.run();
    };

    server = createServer((req, res) => {
      const started = performance.now();
      const requestId = requestIdOf(req);
      res.setHeader('x-request-id', requestId);
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://gate');
      } catch {
        url = new URL('http://gate/');
      }
      const seen = { route: 'unmatched' };
      res.on('finish', () => {
        const seconds = (performance.now() - started) / 1000;
        metrics.httpDuration.observe(
          { method: req.method ?? 'GET', route: seen.route, status: String(res.statusCode) },
          seconds,
        );
        if (res.statusCode === 413) metrics.rejections.inc({ limit: 'body' });
        if (res.statusCode === 429) metrics.rejections.inc({ limit: 'rate' });
        // One line per request. Paths only: no query strings, no headers, so keys never reach the log.
        log.info(
          {
            reqId: requestId,
            method: req.method,
            path: url.pathname,
            route: seen.route,
            status: res.statusCode,
            ms: Math.round(seconds * 10_000) / 10,
          },
          'request',
        );
      });
      route(req, res, url, seen).catch((error) => {
        log.error({ err: error, reqId: requestId }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { detail: 'Internal Server Error' });
        else res.destroy();
      });
    });
    server.on('upgrade', (req) =>
      log.info({ reqId: requestIdOf(req), path: (req.url ?? '/').split('?')[0] }, 'websocket upgrade'),
    );
    closeWs = attachWebSocket(server).close;
    await listen(server, config.port, config.host);
    sweeper.start();

    const port = (server.address() as AddressInfo).port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    return { url: `http://${shownHost}:${port}`, port, bus, sweeper, database, createdAdminKey, metrics, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** The id nginx (or another proxy) gave the request, when it looks like one; else a new one. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

function listen(server: Server, port: number, host: string) {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
