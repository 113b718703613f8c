// Turns what a request carries (X-API-Key, Authorization: Bearer, or WebSocket connectionParams) into an Actor.
import { authenticate } from './services/api-keys.ts';
import { SYSTEM_ACTOR, type Actor } from './services/actor.ts';

export function keyFromHeaders(headers: Headers): string | null {
  const direct = headers.get('x-api-key')?.trim();
  if (direct) return direct;
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get('authorization') ?? '');
  return bearer ? bearer[1].trim() : null;
}

export function keyFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  for (const name of ['apiKey', 'x-api-key', 'X-API-Key']) {
    const value = params[name];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  const nested = (params.headers ?? {}) as Record<string, unknown>;
  const fromHeaders = new Headers();
  for (const [name, value] of Object.entries(nested)) if (typeof value === 'string') fromHeaders.set(name, value);
  const authorization = params.authorization ?? params.Authorization;
  if (typeof authorization === 'string') fromHeaders.set('authorization', authorization);
  return keyFromHeaders(fromHeaders);
}

/**
 * With auth off everyone acts as admin. With auth on: no key → null (only public routes work);
 * an unknown or revoked key → GateError UNAUTHENTICATED.
 */
export async function actorFor(key: string | null, authEnabled: boolean): Promise<Actor | null> {
  if (!authEnabled) return SYSTEM_ACTOR;
  return key ? authenticate(key) : null;
}
