// Who is calling. Every service function that changes or reveals something takes the actor and decides
// itself what that actor may do, so GraphQL, REST and the CLI share one set of rules.
import type { Role } from '../generated/prisma/enums.ts';
import { GateError } from './errors.ts';

export interface Actor {
  role: Role;
  /** the API key used; null when authentication is disabled (then everyone acts as admin) */
  keyId: string | null;
}

export const SYSTEM_ACTOR: Actor = { role: 'ADMIN', keyId: null };

export function requireAdmin(actor: Actor | null): Actor {
  if (!actor) throw new GateError('UNAUTHENTICATED', 'API key required');
  if (actor.role !== 'ADMIN') throw new GateError('FORBIDDEN', 'this operation needs an admin key');
  return actor;
}

export function requireActor(actor: Actor | null): Actor {
  if (!actor) throw new GateError('UNAUTHENTICATED', 'API key required');
  return actor;
}
