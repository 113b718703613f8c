/**
 * GateClient: the worker's side of the gate API. Queries and mutations go over HTTP with graphql-request,
 * `taskAvailable` over graphql-ws (reconnecting with backoff for as long as the client lives). Every
 * operation is a codegen-typed document from ./operations.ts; nothing here declares a result type by hand.
 *
 * Failures surface as one error type, GateCallError: `retryable` says whether the same call may simply be
 * sent again later (the gate was unreachable, restarting, overloaded), `code` carries the gate's
 * `extensions.code` (LEASE_LOST, CONFLICT, …) when it answered with a GraphQL error.
 */
import type { ResultOf, TypedDocumentNode, VariablesOf } from '@graphql-typed-document-node/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import type { ClientOptions, Client as WsClient } from 'graphql-ws';
import { networkReason } from '../rules/index.ts';
import { API_KEY_HINT, GateCallError } from './errors.ts';
import {
  ClaimTaskDocument,
  CompleteTaskDocument,
  FailTaskDocument,
  HeartbeatDocument,
  KnownDocumentIdsDocument,
  RegisterClientDocument,
  UnregisterClientDocument,
  ReleaseTasksDocument,
  ReportProgressDocument,
  TaskAvailableDocument,
} from './operations.ts';

export type GateLease = NonNullable<ResultOf<typeof ClaimTaskDocument>['claimTask']>;
export type GateTask = GateLease['task'];
export type HeartbeatResult = ResultOf<typeof HeartbeatDocument>['heartbeat'];
export type TaskAvailable = ResultOf<typeof TaskAvailableDocument>['taskAvailable'];
export type RegisterClientInput = VariablesOf<typeof RegisterClientDocument>['input'];
export type ReportProgressInput = VariablesOf<typeof ReportProgressDocument>['input'];
export type CompleteTaskInput = VariablesOf<typeof CompleteTaskDocument>['input'];
export type FailTaskInput = VariablesOf<typeof FailTaskDocument>['input'];
export type ErrorClass = FailTaskInput['errorClass'];

export { API_KEY_HINT, GateCallError, isKeyRefused, isLeaseLost, isRetryableGateError } from './errors.ts';

/** HTTP statuses that mean "try again later". */
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

function toGateError(error: unknown, operation: string, endpoint: string): GateCallError {
  if (error instanceof GateCallError) return error;
  if (error instanceof ClientError) {
    const first = error.response.errors?.[0];
    const extensions = (first?.extensions ?? {}) as { code?: string; reason?: string };
    if (extensions.code) {
      const retryable = extensions.code === 'INTERNAL_SERVER_ERROR' || extensions.code === 'RATE_LIMITED';
      const message =
        extensions.code === 'UNAUTHENTICATED' ? `${first?.message}: ${API_KEY_HINT}` : String(first?.message);
      return new GateCallError(message, extensions.code, retryable, extensions.reason, { cause: error, operation });
    }
    const status = error.response.status;
    return new GateCallError(
      `the gate at ${endpoint} answered HTTP ${status}${first ? `: ${first.message}` : ''}`,
      `HTTP_${status}`,
      RETRYABLE_STATUS.has(status),
      undefined,
      { cause: error, operation },
    );
  }
  return new GateCallError(`gate unreachable at ${endpoint}: ${networkReason(error)}`, 'NETWORK', true, undefined, {
    cause: error,
    operation,
  });
}

export interface GateClientOptions {
  /** The gate's base URL (http://host:8000) or its GraphQL endpoint (…/graphql). */
  apiUrl: string;
  apiKey?: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export interface TaskAvailableHandlers {
  /** The worker's client id: the gate ends the socket when an admin disables that client. */
  clientId?: string;
  onNudge(event: TaskAvailable): void;
  /** The socket is up (again) — e.g. to claim at once after a reconnect. */
  onConnected?(): void;
  /** The socket closed (it reconnects by itself): `code` is the WebSocket close code when there was one (4403: the
   * gate refused the key or the client), `reason` a line fit for a log. */
  onClosed?(close: SocketClosed): void;
}

export interface SocketClosed {
  code?: number;
  reason: string;
}

/** graphql-ws hands over a CloseEvent (code, reason) or an Error; either becomes a SocketClosed. */
function socketClosed(event: unknown, fallback: string): SocketClosed {
  if (event instanceof Error) return { reason: event.message };
  const close = event as { code?: unknown; reason?: unknown } | undefined;
  const code = typeof close?.code === 'number' ? close.code : undefined;
  const reason = typeof close?.reason === 'string' ? close.reason : '';
  return code ? { code, reason: `${code} ${reason}`.trim() } : { reason: fallback };
}

/** `…/graphql` for whatever base URL the user gave. */
export function graphqlEndpoint(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (!/\/graphql\/?$/.test(url.pathname)) url.pathname = `${url.pathname.replace(/\/+$/, '')}/graphql`;
  return url.toString();
}

/** Reconnect backoff of the subscription socket: 0.5 s doubling to 5 s, ±25% jitter (claims are polled meanwhile). */
export function reconnectDelayMs(retries: number): number {
  const base = Math.min(5_000, 500 * 2 ** retries);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export class GateClient {
  readonly endpoint: string;
  private readonly http: GraphQLClient;
  private readonly options: GateClientOptions;
  private sockets: Array<Promise<{ client: WsClient }>> = [];

  constructor(options: GateClientOptions) {
    this.options = options;
    this.endpoint = graphqlEndpoint(options.apiUrl);
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.http = new GraphQLClient(this.endpoint, {
      headers: options.apiKey ? { 'x-api-key': options.apiKey } : {},
      // A fresh timeout per request; graphql-request passes its init through to fetch.
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    });
  }

  /** One typed operation over HTTP; every failure becomes a GateCallError. */
  async request<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    const name = operationName(document);
    try {
      // graphql-request's overloads want exactly its own variables shape; the document types it already.
      return await (
        this.http.request as (doc: TypedDocumentNode<TResult, TVariables>, vars: TVariables) => Promise<TResult>
      )(document, variables);
    } catch (error) {
      throw toGateError(error, name, this.endpoint);
    }
  }

  async registerClient(input: RegisterClientInput) {
    return (await this.request(RegisterClientDocument, { input })).registerClient;
  }

  /** Says goodbye on a clean stop: the gate shows this worker STOPPED at once. */
  async unregisterClient(clientId: string) {
    return (await this.request(UnregisterClientDocument, { id: clientId })).unregisterClient;
  }

  async heartbeat(clientId: string, taskIds: string[]): Promise<HeartbeatResult> {
    return (await this.request(HeartbeatDocument, { input: { clientId, taskIds } })).heartbeat;
  }

  async claimTask(clientId: string): Promise<GateLease | null> {
    return (await this.request(ClaimTaskDocument, { input: { clientId } })).claimTask ?? null;
  }

  async reportProgress(input: ReportProgressInput) {
    return (await this.request(ReportProgressDocument, { input })).reportProgress;
  }

  async completeTask(input: CompleteTaskInput) {
    return (await this.request(CompleteTaskDocument, { input })).completeTask;
  }

  async failTask(input: FailTaskInput) {
    return (await this.request(FailTaskDocument, { input })).failTask;
  }

  async releaseTasks(leases: Array<{ taskId: string; leaseToken: string }>) {
    if (leases.length === 0) return [];
    return (await this.request(ReleaseTasksDocument, { input: { leases } })).releaseTasks;
  }

  async knownDocumentIds(documentIds: string[]): Promise<string[]> {
    if (documentIds.length === 0) return [];
    return (await this.request(KnownDocumentIdsDocument, { documentIds })).knownDocumentIds;
  }

  /**
   * Subscribes to `taskAvailable` over graphql-ws. The socket reconnects with backoff for ever (a gate
   * restart is routine); the subscription is re-established on every reconnect. Returns an unsubscribe.
   */
  subscribeTaskAvailable(handlers: TaskAvailableHandlers): () => void {
    let active = true;
    let unsubscribe = () => {};
    // graphql-ws, ws and graphql's printer load on first use: commands that only send HTTP requests start faster.
    const socket = this.openSocket(handlers.clientId ? { clientId: handlers.clientId } : {}, {
      lazy: false,
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
      on: {
        connected: () => handlers.onConnected?.(),
        closed: (event) => handlers.onClosed?.(socketClosed(event, 'closed')),
      },
    });
    void socket.then(async ({ client, print }) => {
      const query = print(TaskAvailableDocument);
      const subscribe = () => {
        unsubscribe = client.subscribe<ResultOf<typeof TaskAvailableDocument>>(
          { query },
          {
            next: (result) => {
              if (result.data) handlers.onNudge(result.data.taskAvailable);
            },
            // Only a fatal problem (e.g. the key was refused) ends up here; try again after a pause.
            error: (error) => {
              handlers.onClosed?.(socketClosed(error, 'subscription error'));
              if (active) setTimeout(() => active && subscribe(), reconnectDelayMs(5)).unref();
            },
            complete: () => {},
          },
        );
      };
      if (active) subscribe();
    });
    return () => {
      active = false;
      unsubscribe();
      void socket.then(({ client }) => client.dispose()).catch(() => {}); // close() may dispose it again: harmless
    };
  }

  /** A graphql-ws client for this gate (with the key as connectionParams), and graphql's printer for its queries. */
  private openSocket(
    connectionParams: Record<string, unknown>,
    options: Omit<ClientOptions, 'url' | 'webSocketImpl' | 'connectionParams'>,
  ) {
    const opened = (async () => {
      const [{ createClient }, { default: WebSocket }, { print }] = await Promise.all([
        import('graphql-ws'),
        import('ws'),
        import('graphql'),
      ]);
      const client = createClient({
        url: this.endpoint.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { ...(this.options.apiKey ? { apiKey: this.options.apiKey } : {}), ...connectionParams },
        ...options,
      });
      return { client, print };
    })();
    this.sockets.push(opened);
    return opened;
  }

  async close(): Promise<void> {
    const sockets = this.sockets;
    this.sockets = [];
    // graphql-ws's dispose() rejects with the close event when the socket it was still connecting was refused
    // (a revoked key: 4403): the socket is gone either way, and a worker on its way out must not crash on it.
    await Promise.all(sockets.map(async (socket) => (await socket).client.dispose()?.catch(() => {})));
  }
}

function operationName(document: { definitions: TypedDocumentNode['definitions'] }): string {
  const definition = document.definitions.find((d) => d.kind === 'OperationDefinition');
  return definition && 'name' in definition && definition.name ? definition.name.value : 'gate call';
}
