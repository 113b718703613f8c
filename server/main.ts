// Entry point: `npm start` / `reyestr serve`. Configuration problems end in one readable line and exit 1.
import { ConfigError, loadConfig } from './config.ts';
import { DataDirError } from './db/data-dir.ts';
import { startGate } from './gate.ts';
import { createLogger } from './observability/logger.ts';

export async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error));
  }
  const log = createLogger(config.logLevel);
  const where =
    config.database.kind === 'pglite' ? `embedded PostgreSQL in ${config.database.dataDir}` : config.database.display;
  let gate: Awaited<ReturnType<typeof startGate>>;
  try {
    gate = await startGate(config, { logger: log, ownProcess: true });
  } catch (error) {
    fail(`cannot start the gate (${where}): ${describe(error)}`);
  }
  log.info({ url: gate.url, database: config.database.kind, auth: config.authEnabled }, 'gate started');
  const documents =
    config.documentStore?.kind === 's3'
      ? `s3://${config.documentStore.bucket}/${config.documentStore.prefix}`
      : 'database';
  // One write: whoever reads the banner (a person, a script, a test) gets it whole, the key included.
  const banner = [
    `reyestr gate listening on ${gate.url}  (storage: ${where}; documents: ${documents}; auth: ${config.authEnabled ? 'on' : 'off'})`,
    `GraphiQL: ${gate.url}/graphql   Dashboard: ${gate.url}/dashboard`,
  ];
  if (gate.createdAdminKey) {
    banner.push(
      `\nFirst start: created an admin API key. It is shown only this once — store it now:\n\n  ${gate.createdAdminKey}\n`,
    );
  }
  console.log(banner.join('\n'));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await gate.stop().catch((error) => log.error({ err: error }, 'error while stopping'));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** One line for why the gate could not start: the setting to change, not a stack trace. */
function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { errors?: Error[]; port?: number; address?: string; hostname?: string };
  if (e instanceof DataDirError) return e.message;
  if (e?.syscall === 'listen' || e?.syscall === 'bind') {
    if (e.code === 'EADDRINUSE') return `port ${e.port ?? ''} is already in use (API_PORT)`;
    if (e.code === 'EADDRNOTAVAIL') return `${e.address} is not an address of this machine (API_HOST)`;
    if (e.code === 'EACCES')
      return `permission denied listening on port ${e.port ?? ''} (API_PORT; ports below 1024 need privileges)`;
  }
  if (e?.syscall === 'getaddrinfo' && e.hostname) return `cannot resolve the host name ${e.hostname}`;
  if (e?.code === 'ECONNREFUSED' || e?.errors?.some((x) => (x as NodeJS.ErrnoException).code === 'ECONNREFUSED')) {
    return 'database refused the connection (is PostgreSQL running?)';
  }
  const message = e instanceof Error ? e.message : typeof error === 'string' ? error : JSON.stringify(error);
  return (message || String(error)).split('\n')[0];
}

function fail(message: string): never {
  console.error(`reyestr: ${message}`);
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
