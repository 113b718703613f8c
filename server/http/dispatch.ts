// The gate's one request listener: CORS preflight, GraphQL (Yoga and graphql/json-post.ts), /metrics, the dashboard and the REST
// router, in that order; plus what every request gets — an x-request-id, a duration metric and one log line.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Limits } from '../config.ts';
import { DASHBOARD_PATH, type createDashboard } from '../dashboard/serve.ts';
import { GRAPHQL_PATH } from '../graphql-server.ts';
import type { createGraphiQL } from '../graphql/graphiql.ts';
import { reportInternalError } from '../observability/internal-errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { GateMetrics } from '../observability/metrics.ts';
import { sendJson } from '../rest/http.ts';
import type { createRestApi } from '../rest/index.ts';
import { declaredLengthOver, discardBody } from './body.ts';
import { applyCors } from './cors.ts';
import { foreignOrigin, SAFE_METHODS } from './origin.ts';

export interface Responders {
  /** GraphQL over HTTP: Yoga, with JSON POSTs answered beside it (graphql/json-post.ts) */
  graphql: (req: IncomingMessage, res: ServerResponse) => unknown;
  rest: ReturnType<typeof createRestApi>;
  dashboard: ReturnType<typeof createDashboard>;
  graphiql: ReturnType<typeof createGraphiQL>;
  metrics: GateMetrics;
  limits: Limits;
  log: Logger;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function createDispatcher({
  graphql,
  rest,
  dashboard,
  graphiql,
  metrics,
  limits,
  log,
}: Responders): RequestListener {
  /** Serves one request; `seen.route` names what answered (a route pattern), for metrics and logs. */
  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: RequestTarget,
    seen: { route: string },
  ): Promise<void> => {
    const path = url.pathname;
    if (applyCors(req, res, limits.corsOrigins)) {
      seen.route = 'preflight';
      return;
    }
    if (!SAFE_METHODS.has(req.method ?? 'GET')) {
      const foreign = foreignOrigin(req, limits.corsOrigins);
      if (foreign) {
        seen.route = 'cross-site';
        metrics.rejections.inc({ limit: 'origin' });
        return sendJson(res, 403, {
          detail: `Cross-site request refused: origin ${foreign} is not allowed (CORS_ORIGINS lists the allowed ones)`,
        });
      }
    }
    if (graphiql(req, res, path)) {
      seen.route = `${GRAPHQL_PATH} (GraphiQL)`;
      return;
    }
    if (path === GRAPHQL_PATH || path.startsWith(`${GRAPHQL_PATH}/`)) {
      seen.route = GRAPHQL_PATH;
      if (req.method === 'POST') {
        // The GraphQL handler reads bodies whole: refuse oversized ones by their declared length, and bodies
        // without one (chunked), which could not be limited before they are buffered. (What is left of a refused
        // body is read and dropped once the answer is out: see discardBody.)
        if (declaredLengthOver(req, limits.bodyLimitBytes) !== null) {
          return sendJson(res, 413, { detail: `Request body too large (limit ${limits.bodyLimitBytes} bytes)` });
        }
        if (req.headers['content-length'] === undefined) {
          return sendJson(res, 411, { detail: 'Length Required' });
        }
        // JSON only: Yoga would also take form posts and application/graphql, and answer JSON sent as those with
        // a confusing 200 (and a form post is what a page on another site can send without asking).
        if (!isJson(req.headers['content-type'])) {
          return sendJson(res, 415, {
            detail: 'Unsupported Media Type: send GraphQL requests as application/json',
          });
        }
      }
      return void (await graphql(req, res));
    }
    if (path === '/metrics' && req.method === 'GET') {
      seen.route = '/metrics';
      const body = await metrics.render();
      return void res.writeHead(200, { 'content-type': metrics.contentType }).end(body);
    }
    if (dashboard(req, res, path)) {
      seen.route = DASHBOARD_PATH;
      return;
    }
    const matched = rest(req, res, path, url.searchParams);
    if (!matched) return sendJson(res, 404, { detail: 'Not Found' });
    seen.route = matched.pattern;
    await matched.run();
  };

  return (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const url = targetOf(req.url);
    const seen = { route: 'unmatched' };
    res.on('finish', () => {
      discardBody(req); // a body nobody read (refused, or not needed): drop it so the client gets the answer
      const seconds = (performance.now() - started) / 1000;
      metrics.httpDuration.observe(
        { method: req.method ?? 'GET', route: seen.route, status: String(res.statusCode) },
        seconds,
      );
      if (res.statusCode === 413) metrics.rejections.inc({ limit: 'body' });
      if (res.statusCode === 429) metrics.rejections.inc({ limit: 'rate' });
      // One line per request. Paths only: no query strings, no headers, so keys never reach the log.
      log.info(
        {
          reqId: requestId,
          method: req.method,
          path: url.pathname,
          route: seen.route,
          status: res.statusCode,
          ms: Math.round(seconds * 10_000) / 10,
        },
        'request',
      );
    });
    route(req, res, url, seen).catch((error) => {
      log.error({ err: error, reqId: requestId }, 'request failed');
      reportInternalError('http', error);
      if (!res.headersSent) sendJson(res, 500, { detail: 'Internal Server Error' });
      else res.destroy();
    });
  };
}

type RequestTarget = Pick<URL, 'pathname' | 'searchParams'>;

/** Letters, digits, '-', '_' and '/', not '//' first: a path that parsing as a URL would leave as it is. */
const PLAIN_PATH = /^\/(?!\/)[\w\-/]*$/;

/**
 * The request's path and query. The API's own paths are plain and come as they are (parsing every request as a URL
 * was ~1.5 % of a GraphQL request's CPU); anything else — a query, escapes, dot segments — is parsed as a URL.
 */
function targetOf(raw = '/'): RequestTarget {
  if (PLAIN_PATH.test(raw)) return { pathname: raw, searchParams: new URLSearchParams() };
  try {
    return new URL(raw, 'http://gate');
  } catch {
    return new URL('http://gate/');
  }
}

/** The id nginx (or another proxy) gave the request, when it looks like one; else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** application/json, with or without parameters (charset). */
function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/json';
}
