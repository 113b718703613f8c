// GraphQL over HTTP (Yoga: POST/GET and SSE subscriptions, GraphiQL) and over WebSocket (graphql-ws) on
// the same /graphql path, with one context factory and one error policy for both.
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { actorFor, keyFromConnectionParams, keyFromHeaders } from './auth.ts';
import type { EventBus } from './events/bus.ts';
import type { Logger } from './observability/logger.ts';
import type { GateContext } from './schema/builder.ts';
import { schema } from './schema/index.ts';
import { findGateError, GateError } from './services/errors.ts';
import type { Actor } from './services/actor.ts';

export const GRAPHQL_PATH = '/graphql';

/** Error codes that are the caller's fault keep their message; everything else is masked. */
const HTTP_STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403 };

export function toGraphQLError(error: GateError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: {
      code: error.code,
      ...(error.details.reason ? { reason: error.details.reason } : {}),
      ...(error.details.issues ? { issues: error.details.issues } : {}),
    },
  });
}

interface WsExtra {
  actor?: Actor | null;
}

export function createGraphQLServer(opts: { bus: EventBus; authEnabled: boolean; log: Logger }) {
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
    return { actor, authEnabled: opts.authEnabled, bus: opts.bus };
  };

  const yoga: YogaServerInstance<Record<string, unknown>, GateContext> = createYoga({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    // The gate serves its own JSON /health.
    healthCheckEndpoint: '/_yoga/health',
    graphiql: { title: 'reyestr gate', subscriptionsProtocol: 'WS' },
    renderGraphiQL,
    logging: {
      debug: (...args) => opts.log.debug(args.map(String).join(' ')),
      info: (...args) => opts.log.info(args.map(String).join(' ')),
      warn: (...args) => opts.log.warn(args.map(String).join(' ')),
      // Yoga reports every execution error here, expected ones (LEASE_LOST, …) included; real faults are
      // logged once at error level by maskError below.
      error: (...args) => opts.log.debug(args.map(String).join(' ')),
    },
    maskedErrors: {
      maskError: (error, message) => {
        const gateError = findGateError(error);
        if (gateError) return toGraphQLError(gateError);
        // Errors GraphQL raised about the request itself (syntax, validation, variable coercion, connection
        // arguments) and errors thrown on purpose with a code are the caller's business; the rest is masked.
        const e = error as GraphQLError;
        const original = e.originalError as GraphQLError | undefined;
        const requestError = [original, e].find((x) => x && ['GraphQLError', 'PothosValidationError'].includes(x.name));
        if (requestError && (requestError === e || !requestError.originalError)) {
          return new GraphQLError(requestError.message, {
            nodes: e.nodes,
            path: e.path,
            extensions: { code: 'BAD_USER_INPUT', ...requestError.extensions },
          });
        }
        opts.log.error({ err: original ?? error }, 'internal error');
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    context: async ({ request, extra }: { request: Request; extra?: WsExtra }) =>
      extra && 'actor' in extra ? contextFor(null, extra.actor ?? null) : contextFor(keyFromHeaders(request.headers)),
  });

  /** Attaches graphql-ws to an HTTP server (the documented Yoga recipe); auth happens once per connection. */
  const attachWebSocket = (server: Server) => {
    const wss = new WebSocketServer({ server, path: GRAPHQL_PATH });
    const disposable = useServer<Record<string, unknown> | undefined, WsExtra>(
      {
        execute: (args: any) => args.rootValue.execute(args),
        subscribe: (args: any) => args.rootValue.subscribe(args),
        onConnect: async (ctx) => {
          try {
            ctx.extra.actor = await actorFor(keyFromConnectionParams(ctx.connectionParams), opts.authEnabled);
            return true;
          } catch {
            return false; // closes with 4403 Forbidden: bad or revoked key
          }
        },
        onSubscribe: async (ctx, _id, params) => {
          const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra,
            socket: ctx.extra,
            params,
          });
          const args = {
            schema: s,
            operationName: params.operationName,
            document: parse(params.query),
            variableValues: params.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe },
          };
          const errors = validate(args.schema, args.document);
          if (errors.length) return errors;
          return args;
        },
      },
      wss,
    );
    return {
      wss,
      close: async () => {
        await disposable.dispose();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      },
    };
  };

  return { yoga, attachWebSocket };
}
