// The address a connection comes from, for per-address limits. Behind a proxy on the same host (the nginx of
// deploy/), every connection comes from loopback: then the address the proxy appended to X-Forwarded-For is the
// client's. Anyone else's X-Forwarded-For is ignored (it would let a client pick its own address).
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export function clientAddress(request: IncomingMessage): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  if (!LOOPBACK.test(peer)) return peer;
  const forwarded = request.headers['x-forwarded-for'];
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
  return last && isIP(last) ? last : peer;
}
