// GraphQL over HTTP (Yoga: POST/GET and SSE subscriptions, GraphiQL) and over WebSocket (graphql-ws) on
// the same /graphql path, with one context factory and one error policy for both.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { type DocumentNode, GraphQLError, type ExecutionResult } from 'graphql';
import { createLRUCache, createYoga } from 'graphql-yoga';
import type { Server } from 'node:http';
import { actorFor, keyFromConnectionParams, keyFromHeaders } from './auth.ts';
import { DEFAULT_LIMITS, type Limits } from './config.ts';
import type { EventBus } from './events/bus.ts';
import { toGraphQLError } from './graphql/gate-error.ts';
import { subscriptionsOpen } from './graphql/operation-metrics.ts';
import { leanExecution } from './graphql/lean-execution.ts';
import { gateRequestPlugin, gateRules } from './graphql/request-plugin.ts';
import { validationCache } from './graphql/validation-cache.ts';
import { subscriptionsPerKey } from './graphql/subscription-limits.ts';
import type { SocketOwners } from './graphql/socket-owners.ts';
import { serveWebSocket, type WsExtra } from './graphql/websocket.ts';
import { type DirectDelivery, SharedSubscriptions, sharedSubscriptionsPlugin } from './graphql/shared-subscriptions.ts';
import { clientActingFor } from './services/clients.ts';
import type { StatsFeed } from './events/stats-feed.ts';
import type { RateLimiter } from './http/rate-limit.ts';
import { reportInternalError } from './observability/internal-errors.ts';
import type { Logger } from './observability/logger.ts';
import type { GateMetrics } from './observability/metrics.ts';
import type { GateContext } from './schema/builder.ts';
import { schema } from './schema/index.ts';
import { findGateError } from './services/errors.ts';
import type { Actor } from './services/actor.ts';

export const GRAPHQL_PATH = '/graphql';
/** What a masked (internal) error says. */
const MASKED_MESSAGE = 'Unexpected error.';

/** Error codes that are the caller's fault keep their message; everything else is masked. */
const HTTP_STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403 };

type ServerContext = { request: Request; extra?: WsExtra };

export interface GraphQLServerOptions {
  bus: EventBus;
  statsFeed: StatsFeed;
  authEnabled: boolean;
  /** identical live subscriptions of one caller share one execution per event (default true) */
  sharedSubscriptions?: boolean;
  /** a shared result goes to graphql-ws subscribers serialised once, written straight to their sockets (default true) */
  sharedDirectWrites?: boolean;
  log: Logger;
  limits?: Limits;
  /** mutation fields count against the caller's key */
  rateLimiter?: RateLimiter;
  metrics?: GateMetrics;
}

export function createGraphQLServer(opts: GraphQLServerOptions) {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const contextFor = async (key: string | null, known?: Actor | null): Promise<GateContext> => {
    let actor = known;
    if (actor === undefined) {
      try {
        actor = await actorFor(key, opts.authEnabled);
      } catch (error) {
        const gateError = findGateError(error);
        if (!gateError) throw error;
        throw new GraphQLError(gateError.message, {
          extensions: { code: gateError.code, http: { status: HTTP_STATUS[gateError.code] ?? 400 } },
        });
      }
    }
    return { actor, authEnabled: opts.authEnabled, bus: opts.bus, statsFeed: opts.statsFeed };
  };

  /** Yoga's error policy (maskedErrors), also applied by shared groups to what they write directly. */
  const maskError = (error: unknown, message: string): Error => {
    const gateError = findGateError(error);
    if (gateError) return toGraphQLError(gateError);
    // Errors GraphQL raised about the request itself (syntax, validation, variable coercion, connection
    // arguments) and errors thrown on purpose with a code are the caller's business; the rest is masked.
    // The innermost error decides: a GraphQL/Pothos error that wraps nothing else was raised about the
    // request; one that wraps another error (a database failure, a bug) is internal.
    const e = error as GraphQLError;
    const original = e.originalError as GraphQLError | undefined;
    const innermost = original ?? e;
    if (['GraphQLError', 'PothosValidationError'].includes(innermost.name) && !innermost.originalError) {
      return new GraphQLError(innermost.message, {
        nodes: e.nodes,
        path: e.path,
        extensions: { code: 'BAD_USER_INPUT', ...innermost.extensions },
      });
    }
    opts.log.error({ err: original ?? error }, 'internal error');
    reportInternalError('graphql', original ?? error);
    return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };

  const contextOf = async ({ request, extra }: { request: Request; extra?: WsExtra }) =>
    extra && 'actor' in extra ? contextFor(null, extra.actor ?? null) : contextFor(keyFromHeaders(request.headers));
  const rules = gateRules({ rateLimiter: opts.rateLimiter, metrics: opts.metrics });
  // Yoga's parse cache (its default, an LRU of 1,024 texts), given here so the lean path can read it.
  const documents = createLRUCache<DocumentNode>();
  const validations = validationCache();

  // Direct members get the result as Yoga would send it: the same error masking, applied once per result.
  const shared = new SharedSubscriptions((result) => maskedResult(result, maskError));
  const yoga = createYoga<ServerContext, GateContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // CORS is the gate's (one CORS_ORIGINS policy for every route), not Yoga's permissive default.
    cors: false,
    // The body limit is the gate's too: the dispatcher refuses a GraphQL POST without a Content-Length or over
    // BODY_LIMIT_BYTES before Yoga sees it, and node's parser hands over no more than the declared bytes. Yoga's own
    // (25 MB) piped every body through a counting TransformStream, whose pipeline aborts an AbortController (and
    // so builds a DOMException with its stack) when it ends: ~5 % of the gate's CPU per claimTask/completeTask.
    maxRequestBodySize: false,
    // Yoga's parse cache stays; validation results are cached by document alone (graphql/validation-cache.ts).
    parserAndValidationCache: { documentCache: documents, validationCache: false },
    plugins: [
      // First: the gate's rules per operation in one plugin (graphql/request-plugin.ts): graphql-js's executor,
      // documents nested too deep to parse and text the database cannot store, introspection without a key, the
      // mutation rate limit, execution time. Its onParse must run before Armor's token-limited parser.
      gateRequestPlugin(rules),
      // Validation rules (and the token-limited parser), so they hold over WebSocket too: the WS path
      // parses and validates with yoga.getEnveloped(), which runs these plugins.
      EnvelopArmorPlugin({
        maxDepth: { n: limits.graphqlMaxDepth, onReject: [rejected(opts.metrics, 'depth')] },
        maxAliases: { n: limits.graphqlMaxAliases, onReject: [rejected(opts.metrics, 'aliases')] },
        maxTokens: { n: limits.graphqlMaxTokens, onReject: [rejected(opts.metrics, 'tokens')] },
        costLimit: { maxCost: limits.graphqlMaxCost, onReject: [rejected(opts.metrics, 'cost')] },
        maxDirectives: { n: limits.graphqlMaxDirectives, onReject: [rejected(opts.metrics, 'directives')] },
        blockFieldSuggestion: { enabled: true },
      }),
      validations,
      subscriptionsPerKey(limits.maxSubscriptionsPerKey, opts.metrics),
      // Identical live subscriptions of one caller run one execution per event (after the limits above).
      ...(opts.sharedSubscriptions === false ? [] : [sharedSubscriptionsPlugin(shared, viewerOf, directDeliveryOf)]),
      // Last, to see a subscription's result after the limits and the sharing above.
      ...(opts.metrics ? [subscriptionsOpen(opts.metrics)] : []),
      // A POST of a query text already parsed and validated runs without Envelop's hooks, with their effects
      // (graphql/lean-execution.ts). Last: it checks the hooks of all the plugins above.
      leanExecution({
        rules,
        documents,
        isValid: validations.isValid,
        context: (initial) => contextOf(initial as ServerContext),
        maskError: (error) => maskError(error, MASKED_MESSAGE) as GraphQLError,
      }),
    ],
    landingPage: false,
    // The gate serves its own JSON /health.
    healthCheckEndpoint: '/_yoga/health',
    // The gate serves GraphiQL itself, as cacheable compressed files (graphql/graphiql.ts), not Yoga's 9 MB page.
    graphiql: false,
    logging: {
      // Yoga says three debug lines per request: format them only when debug is on.
      debug: (...args) => opts.log.isLevelEnabled('debug') && opts.log.debug(args.map(String).join(' ')),
      info: (...args) => opts.log.info(args.map(String).join(' ')),
      warn: (...args) => opts.log.warn(args.map(String).join(' ')),
      // Yoga reports every execution error here, expected ones (LEASE_LOST, …) included; real faults are
      // logged once at error level by maskError below.
      error: (...args) => opts.log.isLevelEnabled('debug') && opts.log.debug(args.map(String).join(' ')),
    },
    maskedErrors: { errorMessage: MASKED_MESSAGE, maskError },
    context: contextOf,
  });

  /** GraphQL over WebSocket on the same path; auth happens once per connection. */
  const attachWebSocket = (server: Server, owners?: SocketOwners) =>
    serveWebSocket(server, {
      path: GRAPHQL_PATH,
      yoga,
      authenticate: (params) => actorFor(keyFromConnectionParams(params), opts.authEnabled),
      // A worker names its client, so disabling that client ends its socket; it must be one it may act for.
      clientOf: async (params, actor) =>
        typeof params?.clientId === 'string' && actor ? (await clientActingFor(actor, params.clientId)).id : null,
      owners,
      limits,
      log: opts.log,
      metrics: opts.metrics,
      directWrites: opts.sharedDirectWrites,
    });

  return { yoga, attachWebSocket, shared };
}

/** Who asks, as an execution can see it: subscriptions share an execution only within one (shared-subscriptions.ts). */
function viewerOf(context: unknown) {
  const { actor, authEnabled } = context as GateContext;
  return [actor?.role ?? null, actor?.keyId ?? null, authEnabled];
}

/** Where a graphql-ws operation takes serialised results (websocket.ts puts it in the context), if it does. */
const directDeliveryOf = (context: unknown) => (context as { directDelivery?: DirectDelivery }).directDelivery;

/** `result` with its errors masked as Yoga masks each result it sends (maskedErrors). */
function maskedResult(result: ExecutionResult, maskError: (error: unknown, message: string) => Error): ExecutionResult {
  if (!result.errors?.length) return result;
  return { ...result, errors: result.errors.map((error) => maskError(error, MASKED_MESSAGE) as GraphQLError) };
}

const rejected = (metrics: GateMetrics | undefined, limit: string) => () => metrics?.rejections.inc({ limit });
