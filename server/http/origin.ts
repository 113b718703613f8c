// Cross-site requests. A browser names the page a request comes from in `Origin` on every cross-origin POST
// and on every WebSocket handshake; programs (workers, the CLI, curl, scripts) send no Origin. So a write or a
// WebSocket whose Origin is neither the gate's own nor listed in CORS_ORIGINS comes from a page on another
// site, and is refused. Keys travel in headers, never in cookies, so with auth on such a page has no key
// anyway; with ENABLE_AUTH=false this check is what keeps a page the operator happens to visit from creating
// tasks through a form POST, a `text/plain` fetch or a WebSocket.
import type { IncomingMessage } from 'node:http';

/**
 * The foreign origin a browser request comes from, or null when it may proceed: no Origin (not a page), the
 * gate's own origin (its Host, or the host a proxy forwarded), or one CORS_ORIGINS allows.
 */
export function foreignOrigin(req: IncomingMessage, allowedOrigins: readonly string[]): string | null {
  const origin = req.headers.origin;
  if (origin === undefined) {
    // Browsers that send Fetch Metadata send Origin on these requests too; this only catches a page whose
    // Origin was stripped on the way.
    const site = req.headers['sec-fetch-site'];
    return site === 'cross-site' || site === 'same-site' ? `(${site})` : null;
  }
  if (allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return null;
  let host: string;
  try {
    host = new URL(origin).host; // "null" (sandboxed frames, file: pages) does not parse: foreign
  } catch {
    return origin;
  }
  const own = [req.headers.host, ...String(req.headers['x-forwarded-host'] ?? '').split(',')].map((h) =>
    h?.trim().toLowerCase(),
  );
  return host && own.includes(host.toLowerCase()) ? null : origin;
}

/** Methods that only read: a cross-site page can send them, but CORS keeps it from reading the answer. */
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
