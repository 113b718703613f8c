// The REST adapter's plumbing: a small router (404/405 like FastAPI), auth from X-API-Key or Bearer, JSON
// bodies under the size limit, FastAPI-like 422 details, and the one mapping from service errors to HTTP.
// Handlers in this directory only translate shapes; the service layer decides everything.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import { actorFor, keyFromHeaders } from '../auth.ts';
import { BodyTooLargeError, readBody } from '../http/body.ts';
import { findMalformedText } from '../http/malformed-text.ts';
import type { RateLimiter } from '../http/rate-limit.ts';
import { reportInternalError } from '../observability/internal-errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Actor } from '../services/actor.ts';
import { GateError, type GateErrorCode } from '../services/errors.ts';

export interface RestOptions {
  authEnabled: boolean;
  bodyLimitBytes: number;
  rateLimiter: RateLimiter;
  log: Logger;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** streamed as it is, instead of a JSON body (the handler sets content-type) */
  stream?: Readable;
}

export interface RestRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Headers;
  /** null only on public routes when no key was sent */
  actor: Actor | null;
  /** the JSON body: {} when there is none and the route allows that; undefined for 'raw' routes */
  body: unknown;
  /** the request itself: a 'raw' route reads its body from here */
  raw: IncomingMessage;
}

export interface Route {
  method: 'GET' | 'POST';
  /** `/api/v1/tasks/:task_id`; literal segments win over parameters */
  path: string;
  /** a public route needs no key */
  public?: boolean;
  /** a public route that does not even look at a key (`/`, `/health`): a wrong or revoked one changes nothing */
  ignoresKey?: boolean;
  /** POST bodies: required (missing → 422), optional (missing → {}), or raw (the handler reads `raw`) */
  body?: 'required' | 'optional' | 'raw';
  handle(req: RestRequest): Promise<Reply> | Reply;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : 'request error');
  }
}

export interface ValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
}

export const unprocessable = (detail: ValidationDetail[]) => new HttpError(422, detail);

interface CompiledRoute extends Route {
  segments: string[];
  literals: number;
}

export interface Matched {
  /** the route pattern, for metrics labels */
  pattern: string;
  run(): Promise<void>;
}

/** Builds the router: match(req) gives the matched pattern (or null: not ours) and runs the route. */
export function createRouter(routes: Route[], opts: RestOptions) {
  const compiled: CompiledRoute[] = routes.map((r) => {
    const segments = r.path.split('/').filter(Boolean);
    return { ...r, segments, literals: segments.filter((s) => !s.startsWith(':')).length };
  });

  const paramsOf = (route: CompiledRoute, parts: string[]): Record<string, string> | null => {
    if (route.segments.length !== parts.length) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const segment = route.segments[i];
      if (segment.startsWith(':')) params[segment.slice(1)] = parts[i];
      else if (segment !== parts[i]) return null;
    }
    return params;
  };

  return (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Matched | null => {
    let parts: string[];
    try {
      parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return null;
    }
    const candidates = compiled
      .map((route) => ({ route, params: paramsOf(route, parts) }))
      .filter((c): c is { route: CompiledRoute; params: Record<string, string> } => c.params !== null);
    if (!candidates.length) return null;
    // The most specific pattern is the resource; a method it does not have is 405, not a fall-through.
    const best = Math.max(...candidates.map((c) => c.route.literals));
    const resource = candidates.filter((c) => c.route.literals === best);
    const hit = resource.find((c) => c.route.method === req.method);
    if (!hit) {
      const allow = [...new Set(resource.map((c) => c.route.method))].join(', ');
      return {
        pattern: resource[0].route.path,
        run: async () => sendJson(res, 405, { detail: 'Method Not Allowed' }, { allow }),
      };
    }
    return {
      pattern: hit.route.path,
      run: async () => {
        try {
          const reply = await runRoute(hit.route, hit.params, req, query, opts);
          if (reply.stream) await sendStream(res, reply);
          else sendJson(res, reply.status ?? 200, reply.body, reply.headers);
        } catch (error) {
          const { status, detail, headers } = toHttpError(error, opts.log);
          sendJson(res, status, { detail }, headers);
        }
      },
    };
  };
}

async function runRoute(
  route: Route,
  params: Record<string, string>,
  req: IncomingMessage,
  query: URLSearchParams,
  opts: RestOptions,
) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  const actor = route.ignoresKey ? null : await actorFor(keyFromHeaders(headers), opts.authEnabled);
  if (!actor && !route.public) throw new HttpError(401, 'API key required');
  if (route.method === 'POST' && actor) await opts.rateLimiter.take(actor.keyId ?? 'no-key');
  const mode = route.body ?? 'optional';
  const body =
    route.method !== 'POST' ? {} : mode === 'raw' ? undefined : await jsonBody(req, mode, opts.bodyLimitBytes);
  return route.handle({ params, query, headers, actor, body, raw: req });
}

async function jsonBody(req: IncomingMessage, mode: 'required' | 'optional', limitBytes: number): Promise<unknown> {
  const raw = (await readBody(req, limitBytes)).toString('utf8');
  if (!raw.trim()) {
    if (mode === 'optional') return {};
    throw unprocessable([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
  }
  // A body is JSON and says so: a form post or a `text/plain` fetch (which a page on another site may send
  // without asking) is not a request of this API.
  if (!isJsonMediaType(req.headers['content-type'])) {
    throw new HttpError(415, 'Unsupported Media Type: send the body as Content-Type: application/json');
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    throw unprocessable([
      {
        type: 'json_invalid',
        loc: ['body', 0],
        msg: 'JSON decode error',
        input: {},
        ...{ ctx: { error: (error as Error).message } },
      },
    ]);
  }
  const malformed = findMalformedText(body);
  if (malformed) {
    throw unprocessable([{ type: 'string_type', loc: ['body', ...malformed.path], msg: `Text ${malformed.problem}` }]);
  }
  if (body === null && mode === 'optional') return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw unprocessable([
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: body,
      },
    ]);
  }
  return body;
}

/** application/json, or a +json type, with any parameters (charset). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0].trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
}

const STATUS: Record<GateErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 422,
  LEASE_LOST: 409,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  QUERY_TIMEOUT: 503,
};

const capitalised = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);
const snake = (name: string | number) =>
  typeof name === 'number' ? name : name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** A service's camelCase field path in REST's snake_case; search params keep the registry's own field names. */
const restPath = (path: (string | number)[]) =>
  path.map((p, i) => (i > 0 && path[i - 1] === 'searchParams' ? p : snake(p)));

/** Service errors keep their message (FastAPI-like detail); anything else is an internal error, logged and masked. */
export function toHttpError(
  error: unknown,
  log: Logger,
): { status: number; detail: unknown; headers?: Record<string, string> } {
  if (error instanceof HttpError) return { status: error.status, detail: error.detail, headers: error.headers };
  if (error instanceof BodyTooLargeError)
    return { status: 413, detail: `Request body too large (limit ${error.limitBytes} bytes)` };
  if (error instanceof GateError) {
    const status = STATUS[error.code];
    if (error.code === 'BAD_USER_INPUT') {
      const issues = error.details.issues?.length ? error.details.issues : [{ path: [], message: error.message }];
      return {
        status,
        detail: issues.map((i) => ({
          type: 'value_error',
          loc: ['body', ...restPath(i.path)],
          msg: capitalised(i.message),
        })),
      };
    }
    const headers: Record<string, string> = error.details.retryAfterSeconds
      ? { 'retry-after': String(error.details.retryAfterSeconds) }
      : {};
    return { status, detail: capitalised(error.message), headers };
  }
  log.error({ err: error }, 'internal error in a REST handler');
  reportInternalError('rest', error);
  return { status: 500, detail: 'Internal Server Error' };
}

/** Validates a body with a zod schema; failures become FastAPI-like 422 details (loc, msg, type). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw unprocessable(result.error.issues.map((issue) => describeIssue(issue, body)));
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value = root;
  for (const key of path)
    value = value != null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, body: unknown): ValidationDetail {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const input = valueAt(body, path);
  const loc = ['body', ...path];
  const detail = (type: string, msg: string): ValidationDetail => ({ type, loc, msg, input });
  if (input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union'))
    return { type: 'missing', loc, msg: 'Field required' };
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.expected === 'int')
        return detail('int_from_float', 'Input should be a valid integer, got a number with a fractional part');
      if (issue.expected === 'number') {
        return typeof input === 'string'
          ? detail('int_parsing', 'Input should be a valid integer, unable to parse string as an integer')
          : detail('int_type', 'Input should be a valid integer');
      }
      if (issue.expected === 'record' || issue.expected === 'object')
        return detail('dict_type', 'Input should be a valid dictionary');
      if (issue.expected === 'string') return detail('string_type', 'Input should be a valid string');
      return detail(`${issue.expected}_type`, `Input should be a valid ${issue.expected}`);
    }
    case 'too_small':
      return issue.origin === 'string'
        ? detail(
            'string_too_short',
            `String should have at least ${issue.minimum} character${Number(issue.minimum) === 1 ? '' : 's'}`,
          )
        : detail('greater_than_equal', `Input should be greater than or equal to ${issue.minimum}`);
    case 'too_big':
      return issue.origin === 'string'
        ? detail('string_too_long', `String should have at most ${issue.maximum} characters`)
        : detail('less_than_equal', `Input should be less than or equal to ${issue.maximum}`);
    case 'invalid_format':
      return issue.format === 'uuid'
        ? detail('uuid_parsing', 'Input should be a valid UUID')
        : detail('string_pattern_mismatch', issue.message);
    default:
      return detail('value_error', issue.message);
  }
}

/** A streamed reply; a stream that fails midway cuts the connection (the client sees a short body, not a lie). */
async function sendStream(res: ServerResponse, reply: Reply): Promise<void> {
  res.writeHead(reply.status ?? 200, reply.headers);
  try {
    await pipeline(reply.stream!, res);
  } catch {
    res.destroy();
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}
