// createGate(): the whole gate — database, migrations, event pump, sweeper, GraphQL over HTTP and
// WebSocket — with start() and stop(). main.ts, the CLI and tests all build gates this way.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GateConfig } from './config.ts';
import { closeDatabase, openDatabase, prisma, type Database } from './db/client.ts';
import { applyMigrations } from './db/migrate.ts';
import { EventBus } from './events/bus.ts';
import { createGraphQLServer, GRAPHQL_PATH } from './graphql-server.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { Sweeper } from './maintenance.ts';
import { ensureAdminKey } from './services/api-keys.ts';
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
  });

  const database = await openDatabase(config.database);
  let server: Server | undefined;
  let bus: EventBus | undefined;
  let sweeper: Sweeper | undefined;
  let closeWs: (() => Promise<void>) | undefined;
  const stop = async () => {
    await closeWs?.();
    if (server?.listening) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await sweeper?.stop();
    await bus?.stop();
    await closeDatabase();
  };

  try {
    await applyMigrations(database);
    const createdAdminKey = await ensureAdminKey(config);
    bus = new EventBus(database);
    await bus.start();
    sweeper = new Sweeper(database, config.sweepIntervalMs, log);

    const { yoga, attachWebSocket } = createGraphQLServer({ bus, authEnabled: config.authEnabled, log });
    const route = (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === GRAPHQL_PATH || path.startsWith(`${GRAPHQL_PATH}/`)) return void yoga(req, res);
      if (path === '/health') return void health(res);
      sendJson(res, 404, { detail: 'Not Found' });
    };
    server = createServer(route);
    closeWs = attachWebSocket(server).close;
    await listen(server, config.port, config.host);
    sweeper.start();

    const port = (server.address() as AddressInfo).port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    return { url: `http://${shownHost}:${port}`, port, bus, sweeper, database, createdAdminKey, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

async function health(res: ServerResponse) {
  try {
    await prisma.$queryRaw`SELECT 1`;
    sendJson(res, 200, { status: 'healthy', database: 'connected' });
  } catch (error) {
    sendJson(res, 503, { status: 'unhealthy', database: 'disconnected', error: (error as Error).message.split('\n')[0] });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
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
