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
import { print } from 'graphql';
import { ClientError, GraphQLClient } from 'graphql-request';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  ClaimTaskDocument,
  CompleteTaskDocument,
  FailTaskDocument,
  HeartbeatDocument,
  KnownDocumentIdsDocument,
  RegisterClientDocument,
  RegisterDocumentsDocument,
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
export type DocumentInput = VariablesOf<typeof RegisterDocumentsDocument>['input']['documents'][number];
export type ErrorClass = FailTaskInput['errorClass'];

export class GateCallError extends Error {
  override readonly name = 'GateCallError';
  constructor(
    message: string,
    /** The gate's extensions.code, or NETWORK / HTTP_<status> when it did not answer with GraphQL. */
    readonly code: string,
    /** Sending the same call again later may succeed (gate unreachable, restarting, overloaded). */
    readonly retryable: boolean,
    /** extensions.reason (LEASE_LOST: STALE_TOKEN, CANCELLED, COMPLETED). */
    readonly reason?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isLeaseLost = (error: unknown): error is GateCallError =>
  error instanceof GateCallError && error.code === 'LEASE_LOST';
export const isRetryableGateError = (error: unknown): boolean => error instanceof GateCallError && error.retryable;

/** HTTP statuses that mean "try again later". */
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

function toGateError(error: unknown, operation: string): GateCallError {
  if (error instanceof GateCallError) return error;
  if (error instanceof ClientError) {
    const first = error.response.errors?.[0];
    const extensions = (first?.extensions ?? {}) as { code?: string; reason?: string };
    if (extensions.code) {
      const retryable = extensions.code === 'INTERNAL_SERVER_ERROR' || extensions.code === 'RATE_LIMITED';
      return new GateCallError(`${operation}: ${first?.message}`, extensions.code, retryable, extensions.reason, {
        cause: error,
      });
    }
    const status = error.response.status;
    return new GateCallError(
      `${operation}: the gate answered HTTP ${status}${first ? `: ${first.message}` : ''}`,
      `HTTP_${status}`,
      RETRYABLE_STATUS.has(status),
      undefined,
      { cause: error },
    );
  }
  const message =
    error instanceof Error
      ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`
      : String(error);
  return new GateCallError(`${operation}: gate unreachable: ${message}`, 'NETWORK', true, undefined, { cause: error });
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
  onClosed?(reason: string): void;
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
  private sockets: WsClient[] = [];

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
      throw toGateError(error, name);
    }
  }

  async registerClient(input: RegisterClientInput) {
    return (await this.request(RegisterClientDocument, { input })).registerClient;
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

  async registerDocuments(input: { clientId?: string; taskId?: string; documents: DocumentInput[] }) {
    if (input.documents.length === 0) return [];
    return (await this.request(RegisterDocumentsDocument, { input })).registerDocuments;
  }

  /**
   * Subscribes to `taskAvailable` over graphql-ws. The socket reconnects with backoff for ever (a gate
   * restart is routine); the subscription is re-established on every reconnect. Returns an unsubscribe.
   */
  subscribeTaskAvailable(handlers: TaskAvailableHandlers): () => void {
    const socket = createClient({
      url: this.endpoint.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: {
        ...(this.options.apiKey ? { apiKey: this.options.apiKey } : {}),
        ...(handlers.clientId ? { clientId: handlers.clientId } : {}),
      },
      lazy: false,
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
      on: {
        connected: () => handlers.onConnected?.(),
        closed: (event) => {
          const close = event as { code?: number; reason?: string };
          handlers.onClosed?.(close.code ? `${close.code} ${close.reason ?? ''}`.trim() : 'closed');
        },
      },
    });
    this.sockets.push(socket);
    const query = print(TaskAvailableDocument);
    let active = true;
    let unsubscribe = () => {};
    const subscribe = () => {
      unsubscribe = socket.subscribe<ResultOf<typeof TaskAvailableDocument>>(
        { query },
        {
          next: (result) => {
            if (result.data) handlers.onNudge(result.data.taskAvailable);
          },
          // Only a fatal problem (e.g. the key was refused) ends up here; try again after a pause.
          error: (error) => {
            handlers.onClosed?.(error instanceof Error ? error.message : 'subscription error');
            if (active) setTimeout(() => active && subscribe(), reconnectDelayMs(5)).unref();
          },
          complete: () => {},
        },
      );
    };
    subscribe();
    return () => {
      active = false;
      unsubscribe();
      void socket.dispose();
      this.sockets = this.sockets.filter((s) => s !== socket);
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((socket) => socket.dispose()));
    this.sockets = [];
  }
}

function operationName(document: { definitions: TypedDocumentNode['definitions'] }): string {
  const definition = document.definitions.find((d) => d.kind === 'OperationDefinition');
  return definition && 'name' in definition && definition.name ? definition.name.value : 'gate call';
}
