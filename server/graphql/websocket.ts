// GraphQL over WebSocket: graphql-ws's protocol (its makeServer) over `ws`, on the gate's HTTP server, with
// the gate's limits. Our own small adapter rather than graphql-ws/use/ws, so that an upgrade over the
// per-address cap is refused before a socket exists, and socket errors go to the gate's log (not console.error).
// - frames are at most BODY_LIMIT_BYTES, checked by ws before anything is parsed, even before auth (→ 1009);
// - a socket that sends no connection_init in time is closed (4408);
// - connections per address (→ HTTP 429 at the upgrade) and per API key (→ 4429);
// - operations per connection (→ TOO_MANY_SUBSCRIPTIONS on that operation; the socket stays);
// - an upgrade from a page on another site (Origin not the gate's and not in CORS_ORIGINS) → HTTP 403;
// - each accepted socket is recorded with its key and client (SocketOwners), so a revocation ends it.
// Authentication happens once per connection (connection_init's params), as over HTTP per request.
import { type DocumentNode, GraphQLError } from 'graphql';
import { CloseCode, type Context, handleProtocols, makeServer } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Limits } from '../config.ts';
import type { Logger } from '../observability/logger.ts';
import type { GateMetrics } from '../observability/metrics.ts';
import { foreignOrigin } from '../http/origin.ts';
import type { Actor } from '../services/actor.ts';
import { findGateError } from '../services/errors.ts';
import { clientAddress } from './client-address.ts';
import type { SocketOwners } from './socket-owners.ts';
import { asGraphQLError, tooManySubscriptions } from './subscription-limits.ts';
import { operationDelivery } from './ws-direct-delivery.ts';

/** What graphql-ws keeps per connection besides its own state. */
export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
  /** set once connection_init was accepted */
  actor?: Actor | null;
}

/** Close code when an API key already has its WebSocket connections (like HTTP 429). */
export const TOO_MANY_CONNECTIONS = 4429;
/** Close code when the key could not be checked now (the database away): the standard "try again later". */
export const TRY_AGAIN_LATER = 1013;
/** Keep-alive: a ping this often; no pong by the next one → the socket is dropped. */
const PING_MS = 12_000;

export interface WebSocketOptions {
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: the Yoga instance's context types do not matter here
  yoga: YogaServerInstance<any, any>;
  /** connection_init's params → who is calling; throws for a bad or revoked key */
  authenticate(params: Readonly<Record<string, unknown>> | undefined): Promise<Actor | null>;
  /** connection_init's `clientId`, checked against the actor (throws when it may not speak for it), or null */
  clientOf?(params: Readonly<Record<string, unknown>> | undefined, actor: Actor | null): Promise<string | null>;
  /** where accepted sockets are recorded with their key and client */
  owners?: SocketOwners;
  limits: Limits;
  log: Logger;
  metrics?: GateMetrics;
  /**
   * Each operation offers the context a `directDelivery` (ws-direct-delivery.ts), so a shared subscription's results
   * are written to its socket serialised once per group (default true; false: through graphql-ws per operation).
   */
  directWrites?: boolean;
}

export function serveWebSocket(server: Server, opts: WebSocketOptions) {
  const { limits, log, metrics } = opts;
  const perAddress = new Map<string, number>();
  const perKey = new Map<string, Set<WebSocket>>();

  const graphqlWs = makeServer<Record<string, unknown> | undefined, WsExtra>({
    connectionInitWaitTimeout: limits.wsConnectionInitTimeoutMs,
    // Yoga's recipe: onSubscribe puts the enveloped execute/subscribe on rootValue.
    // biome-ignore lint/suspicious/noExplicitAny: graphql-ws types rootValue as unknown
    execute: (args: any) => args.rootValue.execute(args),
    // biome-ignore lint/suspicious/noExplicitAny: as above
    subscribe: (args: any) => args.rootValue.subscribe(args),
    onConnect: async (ctx) => {
      const { socket } = ctx.extra;
      let actor: Actor | null;
      let clientId: string | null;
      try {
        actor = await opts.authenticate(ctx.connectionParams);
        clientId = (await opts.clientOf?.(ctx.connectionParams, actor)) ?? null;
      } catch (error) {
        if (findGateError(error)) return false; // closes with 4403 Forbidden: bad or revoked key, another key's or a disabled client
        // Not a refusal: the key could not be checked now (the database away or slow). 4403 would tell a worker its
        // key is refused; 1013 "try again later" makes clients reconnect.
        log.warn({ err: (error as Error).message }, 'websocket: could not check the API key; asked to try again');
        socket.close(TRY_AGAIN_LATER, 'Could not check the API key now; try again');
        return false;
      }
      if (socket.readyState !== socket.OPEN) return false; // gone while we looked the key up: count nothing
      const keyId = actor?.keyId;
      if (keyId && limits.wsMaxConnectionsPerKey) {
        const open = perKey.get(keyId) ?? new Set();
        if (open.size >= limits.wsMaxConnectionsPerKey) {
          metrics?.rejections.inc({ limit: 'ws_connections_per_key' });
          socket.close(TOO_MANY_CONNECTIONS, 'Too many WebSocket connections with this API key');
          return false;
        }
        perKey.set(keyId, open.add(socket));
      }
      ctx.extra.actor = actor;
      opts.owners?.add(socket, { keyId: keyId ?? null, clientId });
      metrics?.websocketConnections.inc();
      return true;
    },
    onClose: (ctx, code) => {
      if (code === CloseCode.ConnectionInitialisationTimeout) metrics?.rejections.inc({ limit: 'ws_init_timeout' });
      if (!('actor' in ctx.extra)) return; // never accepted
      opts.owners?.remove(ctx.extra.socket);
      metrics?.websocketConnections.dec();
      const keyId = ctx.extra.actor?.keyId;
      const open = keyId ? perKey.get(keyId) : undefined;
      if (keyId && open?.delete(ctx.extra.socket) && open.size === 0) perKey.delete(keyId);
    },
    onSubscribe: async (ctx, id, params) => {
      // graphql-ws has put this operation in ctx.subscriptions already
      const running = Object.keys(ctx.subscriptions).length;
      if (limits.maxSubscriptionsPerConnection && running > limits.maxSubscriptionsPerConnection) {
        metrics?.rejections.inc({ limit: 'subscriptions_per_connection' });
        return [tooManySubscriptions('on this connection', limits.maxSubscriptionsPerConnection)];
      }
      return enveloped(opts.yoga, ctx, id, params, opts.directWrites !== false);
    },
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.bodyLimitBytes, handleProtocols });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(request) !== opts.path) return refuse(socket, 404, 'Not Found');
    const foreign = foreignOrigin(request, limits.corsOrigins);
    if (foreign) {
      metrics?.rejections.inc({ limit: 'origin' });
      const detail = `Cross-site WebSocket refused: origin ${foreign} is not allowed (CORS_ORIGINS lists the allowed ones)`;
      return refuse(socket, 403, detail);
    }
    const address = clientAddress(request);
    const open = perAddress.get(address) ?? 0;
    if (limits.wsMaxConnectionsPerIp && open >= limits.wsMaxConnectionsPerIp) {
      metrics?.rejections.inc({ limit: 'ws_connections_per_ip' });
      return refuse(socket, 429, 'Too many WebSocket connections from this address');
    }
    perAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.on('error', (error: Error & { code?: string }) => {
      // ws has closed the socket already (1009 for a frame over maxPayload, 1002 for a protocol error)
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics?.rejections.inc({ limit: 'body' });
      log.debug({ code: error.code, msg: error.message }, 'websocket error');
    });
    let alive = true;
    socket.on('pong', () => (alive = true));
    const keepAlive = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, PING_MS);
    const closed = graphqlWs.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              await handle(String(data));
            } catch (error) {
              log.error({ err: error }, 'websocket message failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      closed(code, String(reason)).catch((error) => log.error({ err: error }, 'websocket close failed'));
    });
  });

  return {
    /** Connections open now with this key (for limits, and to end them when the key goes). */
    connectionsOf: (keyId: string): ReadonlySet<WebSocket> => perKey.get(keyId) ?? new Set(),
    close: async () => {
      server.off('upgrade', onUpgrade);
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      for (const socket of wss.clients) socket.terminate(); // do not wait for slow peers
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Parses and validates with Yoga's enveloped functions (so GraphQL Armor's rules and the parse guard hold). */
async function enveloped(
  // biome-ignore lint/suspicious/noExplicitAny: as in WebSocketOptions
  yoga: YogaServerInstance<any, any>,
  ctx: Context<Record<string, unknown> | undefined, WsExtra>,
  id: string,
  params: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  directWrites: boolean,
) {
  const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
    ...ctx,
    req: ctx.extra,
    socket: ctx.extra,
    params,
    ...(directWrites ? { directDelivery: operationDelivery(ctx.extra.socket, id) } : {}),
  });
  let document: DocumentNode;
  let errors: readonly GraphQLError[];
  try {
    document = parse(params.query);
    errors = validate(schema, document);
  } catch (error) {
    // Syntax errors, and GraphQL Armor's rejections, which it throws (from its own copy of graphql, so they
    // are not instances of ours): answer them on this operation and keep the socket.
    const graphqlError = asGraphQLError(error);
    if (graphqlError) return [graphqlError];
    throw error;
  }
  if (errors.length) return errors.map((e) => asGraphQLError(e) ?? new GraphQLError(String(e)));
  return {
    schema,
    operationName: params.operationName,
    document,
    variableValues: params.variables,
    contextValue: await contextFactory(),
    rootValue: { execute, subscribe },
  };
}

function pathOf(request: IncomingMessage): string {
  try {
    return new URL(request.url ?? '/', 'http://gate').pathname;
  } catch {
    return '';
  }
}

/** Answers an upgrade request with an HTTP error (JSON, as everywhere else) and closes the connection. */
function refuse(socket: Duplex, status: number, detail: string) {
  const body = JSON.stringify({ detail });
  const reason = ({ 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' } as Record<number, string>)[status];
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
