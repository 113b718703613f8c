/**
 * How gate calls fail, in a module of its own (no GraphQL or HTTP libraries) so the CLI can tell errors apart
 * without loading the client. GateClient turns every failure into a GateCallError: `retryable` says whether the
 * same call may simply be sent again later (the gate was unreachable, restarting, overloaded), `code` carries
 * the gate's `extensions.code` (LEASE_LOST, CONFLICT, …) when it answered with a GraphQL error.
 */
export class GateCallError extends Error {
  override readonly name = 'GateCallError';
  constructor(
    /** What went wrong, for people: no operation names, and the next step where there is one. */
    message: string,
    /** The gate's extensions.code, or NETWORK / HTTP_<status> when it did not answer with GraphQL. */
    readonly code: string,
    /** Sending the same call again later may succeed (gate unreachable, restarting, overloaded). */
    readonly retryable: boolean,
    /** extensions.reason (LEASE_LOST: STALE_TOKEN, CANCELLED, COMPLETED). */
    readonly reason?: string,
    options?: { cause?: unknown; operation?: string },
  ) {
    super(message, options);
    this.operation = options?.operation;
  }
  /** The GraphQL operation that failed (for debug logs). */
  readonly operation?: string;
}

export const isLeaseLost = (error: unknown): error is GateCallError =>
  error instanceof GateCallError && error.code === 'LEASE_LOST';
/** The gate no longer accepts this key (revoked, or never valid) or the client it speaks for (disabled). */
export const isKeyRefused = (error: unknown): error is GateCallError =>
  error instanceof GateCallError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN');
export const isRetryableGateError = (error: unknown): boolean => error instanceof GateCallError && error.retryable;

/** What to do about a refused or missing key: the same flags and variable name the worker and the CLI read. */
export const API_KEY_HINT =
  'pass one with --api-key <key> or REYESTR_API_KEY=<key>; an admin creates keys with ' +
  '`reyestr keys create --name <what-for> --role worker` (the gate prints the first admin key when it starts on an empty database)';
