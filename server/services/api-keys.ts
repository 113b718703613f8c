// API keys: issued by admins, shown once, stored only as a sha256 hash. Keys are 32 random bytes, so a fast
// hash is enough (nothing to brute-force) and lets a request find its key with one indexed lookup.
import { hash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { prisma } from '../db/database.ts';
import type { ApiKey } from '../generated/prisma/client.ts';
import { Role } from '../generated/prisma/enums.ts';
import { requireAdmin, type Actor } from './actor.ts';
import { publishApiKeyRevoked } from '../events/notify.ts';
import { registerCache } from './caches.ts';
import { GateError, notFound, parseInput } from './errors.ts';
import { parseId } from './ids.ts';

/** One call, no Hash object per request (crypto.hash: ~1 µs instead of ~2.3 for createHash().update().digest()). */
export const hashApiKey = (key: string) => hash('sha256', key, 'hex');
const newKey = () => `rk_${randomBytes(32).toString('base64url')}`;
/**
 * What is kept of a key in clear, to recognise it in listings: at most 6 characters, and never more than a
 * quarter of the key (an ADMIN_API_KEY may be short). Generated keys show `rk_` and 3 random characters.
 */
export const prefixOf = (key: string) => key.slice(0, Math.min(6, Math.floor(key.length / 4)));

/** Short cache of key lookups: saves a query per request. A revocation clears it at once on every gate (the
 *  revocation is a NOTIFY; see forgetApiKey); CACHE_MS bounds it should that event be lost. */
const CACHE_MS = 5_000;
const cache = registerCache(new Map<string, { actor: Actor | null; until: number }>());

/**
 * Look-ups of one key under way: a burst of requests or WebSocket connections with a key the cache does not hold
 * (a fleet reconnecting after a gate restart) waits for one query instead of sending a query — and an update of
 * the same lastUsedAt row — each, which emptied the pool and failed them.
 */
const lookups = new Map<string, Promise<{ actor: Actor | null; until: number }>>();

export async function authenticate(rawKey: string): Promise<Actor> {
  const keyHash = hashApiKey(rawKey);
  let hit = cache.get(keyHash);
  if (!hit || hit.until < Date.now()) {
    let lookup = lookups.get(keyHash);
    if (!lookup) {
      lookup = lookUp(keyHash).finally(() => lookups.delete(keyHash));
      lookups.set(keyHash, lookup);
    }
    hit = await lookup;
  }
  if (!hit.actor) throw new GateError('UNAUTHENTICATED', 'Invalid API key');
  return hit.actor;
}

async function lookUp(keyHash: string): Promise<{ actor: Actor | null; until: number }> {
  const row = await prisma.apiKey.findUnique({ where: { keyHash } });
  const now = Date.now();
  const hit = { actor: row && !row.revokedAt ? { role: row.role, keyId: row.id } : null, until: now + CACHE_MS };
  if (cache.size > 10_000) cache.clear();
  cache.set(keyHash, hit);
  if (row && !row.revokedAt && (!row.lastUsedAt || now - row.lastUsedAt.getTime() > 60_000)) {
    await prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return hit;
}

const creation = z.object({ name: z.string().trim().min(1).max(200), role: z.enum(Role).default('WORKER') });

export async function createApiKey(
  actor: Actor | null,
  input: z.input<typeof creation>,
): Promise<{ apiKey: ApiKey; key: string }> {
  requireAdmin(actor);
  const { name, role } = parseInput(creation, input);
  const key = newKey();
  const apiKey = await prisma.apiKey.create({ data: { name, role, keyHash: hashApiKey(key), prefix: prefixOf(key) } });
  return { apiKey, key };
}

export async function revokeApiKey(actor: Actor | null, idInput: string): Promise<ApiKey> {
  requireAdmin(actor);
  const id = parseId(idInput, 'id');
  const found = await prisma.apiKey.findUnique({ where: { id } });
  if (!found) throw notFound('API key', id);
  const apiKey = found.revokedAt
    ? found
    : await prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  cache.delete(apiKey.keyHash);
  await publishApiKeyRevoked(apiKey.id); // every gate (this one too) ends the key's WebSockets
  return apiKey;
}

/** Drops a key from this gate's cache of lookups (it was revoked, perhaps on another gate). */
export function forgetApiKey(keyId: string): void {
  for (const [hash, hit] of cache) if (hit.actor?.keyId === keyId) cache.delete(hash);
}

/** Drops every cached lookup (revocations may have been missed while the LISTEN connection was down). */
export function forgetApiKeys(): void {
  cache.clear();
}

/** Which of these keys are revoked now. */
export async function revokedApiKeyIds(keyIds: string[]): Promise<string[]> {
  if (!keyIds.length) return [];
  const rows = await prisma.apiKey.findMany({
    where: { id: { in: keyIds }, revokedAt: { not: null } },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/**
 * At start: ADMIN_API_KEY from the environment becomes an admin key; otherwise, with auth on and no admin
 * key yet, one is created and returned so the gate can print it once.
 *
 * A revocation of the environment key stands: a restart does not bring it back (a leaked key that an admin
 * revoked must stay dead, even if the old value is still in the environment). The result says so, and the
 * gate logs it; the way back is a new ADMIN_API_KEY value.
 */
export async function ensureAdminKey(opts: {
  authEnabled: boolean;
  adminApiKey?: string;
}): Promise<{ createdKey: string | null; envKeyRevokedAt: Date | null }> {
  if (opts.adminApiKey) {
    const keyHash = hashApiKey(opts.adminApiKey);
    const row = await prisma.apiKey.upsert({
      where: { keyHash },
      create: { name: 'ADMIN_API_KEY (environment)', role: 'ADMIN', keyHash, prefix: prefixOf(opts.adminApiKey) },
      update: { role: 'ADMIN' },
    });
    return { createdKey: null, envKeyRevokedAt: row.revokedAt };
  }
  if (!opts.authEnabled) return { createdKey: null, envKeyRevokedAt: null };
  const existing = await prisma.apiKey.count({ where: { role: 'ADMIN', revokedAt: null } });
  if (existing > 0) return { createdKey: null, envKeyRevokedAt: null };
  const key = newKey();
  await prisma.apiKey.create({
    data: { name: 'first admin key', role: 'ADMIN', keyHash: hashApiKey(key), prefix: prefixOf(key) },
  });
  return { createdKey: key, envKeyRevokedAt: null };
}
