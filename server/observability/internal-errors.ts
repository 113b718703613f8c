// Faults the gate hit that are nobody's input error: a request answered 500 / INTERNAL_SERVER_ERROR, or a
// sweeper or scheduler round that failed. They are counted on /metrics (reyestr_internal_errors_total) and
// watched by the alert monitor, by kind: the database, the document store, or anything else.
export type FaultSource = 'graphql' | 'rest' | 'http' | 'sweeper' | 'follow scheduler';
export type FaultKind = 'database' | 'store' | 'other';

export const FAULT_SOURCES: FaultSource[] = ['graphql', 'rest', 'http', 'sweeper', 'follow scheduler'];
export const FAULT_KINDS: FaultKind[] = ['database', 'store', 'other'];

type Listener = (fault: { source: FaultSource; kind: FaultKind }) => void;
const listeners = new Set<Listener>();

export function onInternalError(listener: Listener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function reportInternalError(source: FaultSource, error: unknown): void {
  const fault = { source, kind: faultKind(error) };
  for (const listener of listeners) listener(fault);
}

// node-postgres and Prisma's own connection failures; a SQLSTATE alone could also be a bug in a statement,
// which is still the database refusing work, so it counts too.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P03', '08006']);

/** What failed, looking through wrappers (GraphQL's originalError, `cause`). */
export function faultKind(error: unknown): FaultKind {
  for (
    let e = error as Record<string, unknown> | undefined, depth = 0;
    e && typeof e === 'object' && depth < 6;
    depth++
  ) {
    const name = typeof e.name === 'string' ? e.name : '';
    // The AWS SDK's errors carry $metadata (HTTP status, request id) or $fault.
    if ('$metadata' in e || '$fault' in e) return 'store';
    if (name.startsWith('PrismaClient') || name === 'DriverAdapterError') return 'database';
    if (
      typeof e.code === 'string' &&
      (CONNECTION_CODES.has(e.code) || (/^[0-9A-Z]{5}$/.test(e.code) && 'severity' in e))
    )
      return 'database';
    if (/timeout exceeded when trying to connect|Connection terminated/i.test(String(e.message ?? '')))
      return 'database';
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return 'other';
}
