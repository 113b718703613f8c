// The gate's configuration: environment variables (and a `.env` file) → one typed, validated object.
// Everything the gate reads from the environment is read here and nowhere else.
import { config as loadDotenv } from 'dotenv';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { AlertConfig } from './observability/alert-monitor.ts';
import {
  type CorpusLimits,
  DEFAULT_CORPUS_LIMITS,
  type DocumentStoreConfig,
  documentStoreConfig,
  type DocumentStoreVariables,
} from './corpus/store/config.ts';
import { httpUrl } from './http-url.ts';
import { DEFAULT_THRESHOLDS } from './observability/alert-rules.ts';

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), 'expected true or false')
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const seconds = z.coerce
  .number()
  .positive()
  .max(86_400 * 30);

/** HTTP and GraphQL limits; every one has a default, so a config may leave any of them out. */
export interface Limits {
  /** request bodies (REST and GraphQL) */
  bodyLimitBytes: number;
  /** per API key, REST POSTs and GraphQL mutation fields together; 0 = off */
  mutationsPerMinute: number;
  /** origins allowed by CORS (`*` for any); empty = no CORS headers */
  corsOrigins: string[];
  graphqlMaxDepth: number;
  graphqlMaxAliases: number;
  graphqlMaxTokens: number;
  graphqlMaxCost: number;
  graphqlMaxDirectives: number;
  /** subscriptions one WebSocket may run at once; 0 = no limit */
  maxSubscriptionsPerConnection: number;
  /** subscriptions one API key may run at once on this gate (WebSocket and SSE); 0 = no limit */
  maxSubscriptionsPerKey: number;
  /** WebSocket connections from one address on this gate; 0 = no limit */
  wsMaxConnectionsPerIp: number;
  /** WebSocket connections with one API key on this gate; 0 = no limit */
  wsMaxConnectionsPerKey: number;
  /** a WebSocket that sends no connection_init within this is closed (4408) */
  wsConnectionInitTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  bodyLimitBytes: 1024 * 1024,
  // A fleet of workers may share one key: 30,000 a minute (500/s) stops a runaway client, not a busy fleet.
  mutationsPerMinute: 30_000,
  corsOrigins: [],
  graphqlMaxDepth: 10,
  graphqlMaxAliases: 15,
  graphqlMaxTokens: 2000,
  graphqlMaxCost: 5000,
  graphqlMaxDirectives: 50,
  // A dashboard runs about five subscriptions and a worker one or two; a fleet may share a key.
  maxSubscriptionsPerConnection: 50,
  maxSubscriptionsPerKey: 1000,
  wsMaxConnectionsPerIp: 200,
  wsMaxConnectionsPerKey: 500,
  wsConnectionInitTimeoutMs: 5000,
};

/**
 * How often the gate vacuums and analyzes an embedded PGlite database (pglite-vacuum.ts; 0: never). Once a minute is
 * autovacuum_naptime's default, PostgreSQL's own pace: a pass that finds nothing due costs one catalog read, and the
 * rules themselves (50 rows + a share of the table) decide how much work a pass does, not the interval.
 */
export const DEFAULT_PGLITE_VACUUM_INTERVAL_MS = 60_000;

// The variables' defaults are the constants above: one place for each default value.
const envSchema = z.object({
  API_HOST: z.string().min(1).default('0.0.0.0'),
  API_PORT: z.coerce.number().int().min(0).max(65_535).default(8000),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().optional(),
  DB_HOST: z.string().optional(),
  DB_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  DB_NAME: z.string().optional(),
  DB_USER: z.string().optional(),
  DB_PASSWORD: z.string().optional(),
  ENABLE_AUTH: bool.default(true),
  SHARED_SUBSCRIPTIONS: bool.default(true),
  SHARED_SUBSCRIPTIONS_DIRECT: bool.default(true),
  ADMIN_API_KEY: z.string().min(16, 'ADMIN_API_KEY must be at least 16 characters').optional(),
  LEASE_SECONDS: seconds.default(60),
  SWEEP_INTERVAL_SECONDS: seconds.default(5),
  FOLLOW_TICK_SECONDS: seconds.default(30),
  CLIENT_INACTIVE_SECONDS: seconds.default(180),
  PGLITE_VACUUM_INTERVAL_SECONDS: z.coerce
    .number()
    .min(0)
    .max(86_400)
    .default(DEFAULT_PGLITE_VACUUM_INTERVAL_MS / 1000),
  EVENT_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(30),
  RETRY_BASE_SECONDS: z.coerce.number().min(0).max(86_400).default(30),
  RETRY_MAX_SECONDS: z.coerce
    .number()
    .min(0)
    .max(86_400 * 7)
    .default(3600),
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
  MAX_STALLS: z.coerce.number().int().min(1).max(1000).default(5),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(DEFAULT_LIMITS.bodyLimitBytes),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .default(DEFAULT_LIMITS.mutationsPerMinute),
  CORS_ORIGINS: z.string().default(''),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(DEFAULT_LIMITS.graphqlMaxDepth),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(DEFAULT_LIMITS.graphqlMaxAliases),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(DEFAULT_LIMITS.graphqlMaxTokens),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(100).max(10_000_000).default(DEFAULT_LIMITS.graphqlMaxCost),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(1).max(1000).default(DEFAULT_LIMITS.graphqlMaxDirectives),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(DEFAULT_LIMITS.maxSubscriptionsPerConnection),
  MAX_SUBSCRIPTIONS_PER_KEY: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(DEFAULT_LIMITS.maxSubscriptionsPerKey),
  WS_MAX_CONNECTIONS_PER_IP: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(DEFAULT_LIMITS.wsMaxConnectionsPerIp),
  WS_MAX_CONNECTIONS_PER_KEY: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(DEFAULT_LIMITS.wsMaxConnectionsPerKey),
  WS_CONNECTION_INIT_TIMEOUT_SECONDS: z.coerce
    .number()
    .positive()
    .max(600)
    .default(DEFAULT_LIMITS.wsConnectionInitTimeoutMs / 1000),
  DOCUMENT_STORE: z.string().trim().default('database'),
  DOCUMENT_STORE_ENDPOINT: z.string().trim().optional(),
  AWS_ENDPOINT_URL_S3: z.string().trim().optional(),
  AWS_ENDPOINT_URL: z.string().trim().optional(),
  AWS_REGION: z.string().trim().optional(),
  AWS_DEFAULT_REGION: z.string().trim().optional(),
  AWS_ACCESS_KEY_ID: z.string().trim().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_SESSION_TOKEN: z.string().optional(),
  DOCUMENT_STORE_PATH_STYLE: bool.optional(),
  AWS_S3_FORCE_PATH_STYLE: bool.optional(),
  DOCUMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(DEFAULT_CORPUS_LIMITS.maxDocumentBytes),
  DOCUMENT_ORPHAN_GRACE_SECONDS: z.coerce
    .number()
    .min(1)
    .max(86_400 * 30)
    .default(DEFAULT_CORPUS_LIMITS.orphanGraceSeconds),
  DOCUMENT_UPLOAD_URL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(604_800)
    .default(DEFAULT_CORPUS_LIMITS.uploadUrlSeconds),
  ALERT_WEBHOOK_URL: z.string().trim().optional(),
  ALERT_CHECK_INTERVAL_SECONDS: seconds.default(30),
  ALERT_WEBHOOK_REPEAT_SECONDS: seconds.default(3600),
  ALERT_WINDOW_SECONDS: seconds.default(DEFAULT_THRESHOLDS.windowMs / 1000),
  ALERT_HEARTBEAT_SILENCE_SECONDS: seconds.default(DEFAULT_THRESHOLDS.heartbeatSilenceMs / 1000),
  ALERT_REGISTRY_BLOCKED_SHARE: z.coerce.number().min(0).max(1).default(DEFAULT_THRESHOLDS.blockedShare),
});

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'postgres'; url: string /** safe to print: no password */; display: string };

export interface GateConfig {
  host: string;
  port: number;
  database: DatabaseConfig;
  authEnabled: boolean;
  /** identical live subscriptions of one caller share one execution per event (default true; false: each runs alone) */
  sharedSubscriptions?: boolean;
  /** a shared result goes to graphql-ws subscribers serialised once, straight to their sockets (default true) */
  sharedDirectWrites?: boolean;
  adminApiKey?: string;
  leaseSeconds: number;
  sweepIntervalMs: number;
  /** how often the follow scheduler looks for due follows (default 30 s) */
  followTickMs?: number;
  clientInactiveSeconds: number;
  /** how often an embedded PGlite database is vacuumed and analyzed (default DEFAULT_PGLITE_VACUUM_INTERVAL_MS; 0: never) */
  pgliteVacuumIntervalMs?: number;
  /** events of finished tasks older than this are deleted (0: keep for ever) */
  eventRetentionDays?: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  maxAttempts: number;
  /** lease expiries (stalls) before a task is DEAD; counted apart from failed attempts (default 5) */
  maxStalls?: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** missing fields take DEFAULT_LIMITS */
  limits?: Partial<Limits>;
  /** default: the database */
  documentStore?: DocumentStoreConfig;
  /** missing fields take DEFAULT_CORPUS_LIMITS */
  corpus?: Partial<CorpusLimits>;
  /** ALERT_WEBHOOK_URL and its settings; unset: the gate posts no alerts */
  alerts?: AlertConfig;
}

export class ConfigError extends Error {}

/** The webhook's URL is a secret (Slack's carry their token in the path): only its origin is ever printed. */
function alertConfig(e: z.infer<typeof envSchema>): AlertConfig | undefined {
  if (!e.ALERT_WEBHOOK_URL) return undefined;
  const url = httpUrl(e.ALERT_WEBHOOK_URL);
  if (!url) throw new ConfigError('invalid configuration: ALERT_WEBHOOK_URL: expected an http(s):// URL');
  return {
    webhookUrl: url.href,
    checkIntervalMs: Math.round(e.ALERT_CHECK_INTERVAL_SECONDS * 1000),
    repeatMs: Math.round(e.ALERT_WEBHOOK_REPEAT_SECONDS * 1000),
    thresholds: {
      ...DEFAULT_THRESHOLDS,
      windowMs: Math.round(e.ALERT_WINDOW_SECONDS * 1000),
      heartbeatSilenceMs: Math.round(e.ALERT_HEARTBEAT_SILENCE_SECONDS * 1000),
      blockedShare: e.ALERT_REGISTRY_BLOCKED_SHARE,
    },
  };
}

/** Reads `.env` (never overriding real environment variables), validates, and builds the config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, { dotenv = true } = {}): GateConfig {
  if (dotenv) loadDotenv({ quiet: true, processEnv: env as Record<string, string> });
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    host: e.API_HOST,
    port: e.API_PORT,
    database: databaseConfig(e),
    authEnabled: e.ENABLE_AUTH,
    sharedSubscriptions: e.SHARED_SUBSCRIPTIONS,
    sharedDirectWrites: e.SHARED_SUBSCRIPTIONS_DIRECT,
    adminApiKey: e.ADMIN_API_KEY,
    leaseSeconds: e.LEASE_SECONDS,
    sweepIntervalMs: Math.round(e.SWEEP_INTERVAL_SECONDS * 1000),
    followTickMs: Math.round(e.FOLLOW_TICK_SECONDS * 1000),
    clientInactiveSeconds: e.CLIENT_INACTIVE_SECONDS,
    pgliteVacuumIntervalMs: Math.round(e.PGLITE_VACUUM_INTERVAL_SECONDS * 1000),
    eventRetentionDays: e.EVENT_RETENTION_DAYS,
    retryBaseSeconds: e.RETRY_BASE_SECONDS,
    retryMaxSeconds: e.RETRY_MAX_SECONDS,
    maxAttempts: e.MAX_ATTEMPTS,
    maxStalls: e.MAX_STALLS,
    logLevel: e.LOG_LEVEL,
    limits: {
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      mutationsPerMinute: e.RATE_LIMIT_MUTATIONS_PER_MINUTE,
      corsOrigins: e.CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      graphqlMaxDepth: e.GRAPHQL_MAX_DEPTH,
      graphqlMaxAliases: e.GRAPHQL_MAX_ALIASES,
      graphqlMaxTokens: e.GRAPHQL_MAX_TOKENS,
      graphqlMaxCost: e.GRAPHQL_MAX_COST,
      graphqlMaxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxSubscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxSubscriptionsPerKey: e.MAX_SUBSCRIPTIONS_PER_KEY,
      wsMaxConnectionsPerIp: e.WS_MAX_CONNECTIONS_PER_IP,
      wsMaxConnectionsPerKey: e.WS_MAX_CONNECTIONS_PER_KEY,
      wsConnectionInitTimeoutMs: Math.round(e.WS_CONNECTION_INIT_TIMEOUT_SECONDS * 1000),
    },
    documentStore: documentStoreFrom(e),
    corpus: {
      maxDocumentBytes: e.DOCUMENT_MAX_BYTES,
      orphanGraceSeconds: e.DOCUMENT_ORPHAN_GRACE_SECONDS,
      uploadUrlSeconds: e.DOCUMENT_UPLOAD_URL_SECONDS,
    },
    alerts: alertConfig(e),
  };
}

/** The document store's variables, its errors as configuration errors. */
function documentStoreFrom(e: DocumentStoreVariables): DocumentStoreConfig {
  try {
    return documentStoreConfig(e);
  } catch (error) {
    throw new ConfigError(`invalid configuration: DOCUMENT_STORE: ${(error as Error).message}`);
  }
}

function databaseConfig(e: z.infer<typeof envSchema>): DatabaseConfig {
  let url = e.DATABASE_URL?.trim();
  if (!url && e.DB_HOST) {
    // The older gate's variable names.
    const user = encodeURIComponent(e.DB_USER ?? 'postgres');
    const password = e.DB_PASSWORD ? `:${encodeURIComponent(e.DB_PASSWORD)}` : '';
    url = `postgresql://${user}${password}@${e.DB_HOST}:${e.DB_PORT ?? 5432}/${encodeURIComponent(e.DB_NAME ?? 'reyestr')}`;
  }
  if (!url) return { kind: 'pglite', dataDir: resolve(e.DATA_DIR) };
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new ConfigError('invalid configuration: DATABASE_URL is not a valid URL');
  }
  if (!['postgres:', 'postgresql:'].includes(parsedUrl.protocol)) {
    throw new ConfigError('invalid configuration: DATABASE_URL must start with postgresql://');
  }
  const display = `${parsedUrl.protocol}//${parsedUrl.username ? `${parsedUrl.username}@` : ''}${parsedUrl.host}${parsedUrl.pathname}`;
  return { kind: 'postgres', url, display };
}
