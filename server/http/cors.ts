// CORS for every route (REST, GraphQL, metrics) from one setting, CORS_ORIGINS: a list of origins, or `*`.
// Empty: no CORS headers at all, so browsers allow same-origin pages only.
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_HEADERS = 'content-type, x-api-key, authorization, x-request-id';
const ALLOWED_METHODS = 'GET, POST, OPTIONS';

/** Sets CORS headers for an allowed origin; answers preflights itself (returns true when it did). */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  const allowed = !!origin && origins.length > 0 && (origins.includes('*') || origins.includes(origin));
  if (allowed) {
    res.setHeader('access-control-allow-origin', origins.includes('*') ? '*' : origin);
    res.setHeader('vary', 'Origin');
  }
  if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
  if (allowed) {
    res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', '600');
  }
  res.writeHead(204).end();
  return true;
}
