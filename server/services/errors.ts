// Errors the service layer raises on purpose. Each carries a code that GraphQL puts in
// `extensions.code` and REST turns into an HTTP status; anything else is an internal error and is masked.
import { type z, ZodError } from 'zod';

export type GateErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'LEASE_LOST'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  /** a read (search, statistics) ran past its statement timeout: narrow it down */
  | 'QUERY_TIMEOUT';

export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

export class GateError extends Error {
  constructor(
    readonly code: GateErrorCode,
    message: string,
    readonly details: { issues?: FieldIssue[]; reason?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'GateError';
  }
}

/**
 * The GateError behind an error, looking through wrappers (GraphQL wraps resolver errors in originalError).
 * Checked by name, not instanceof: a module can be loaded twice (ESM and CJS copies), and then instanceof lies.
 */
export function findGateError(error: unknown): GateError | null {
  for (let e = error as { name?: string; originalError?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.name === 'GateError' && typeof (e as GateError).code === 'string') return e as GateError;
    e = e.originalError as typeof e;
  }
  return null;
}

export const notFound = (what: string, id: string) => new GateError('NOT_FOUND', `${what} ${id} not found`);
export const forbidden = (message: string) => new GateError('FORBIDDEN', message);
export const badInput = (message: string, issues?: FieldIssue[]) =>
  new GateError('BAD_USER_INPUT', message, { issues });

/** Parses input with a zod schema; a failure becomes BAD_USER_INPUT naming the first offending field. */
export function parseInput<T>(schema: { parse(input: unknown): T }, input: unknown): T {
  try {
    return schema.parse(input);
  } catch (error) {
    if (error instanceof ZodError) {
      const issues = error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message }));
      const first = issues[0];
      throw badInput(first.path.length ? `${first.path.join('.')}: ${first.message}` : first.message, issues);
    }
    throw error;
  }
}

/** GraphQL sends null for an omitted optional input field; treat null like absent and apply the default. */
export const orDefault = <S extends z.ZodType>(schema: S, value: z.output<S>) =>
  schema.nullish().transform((v) => (v ?? value) as z.output<S>);
