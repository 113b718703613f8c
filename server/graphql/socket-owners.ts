// Whose each open WebSocket is: the API key it authenticated with, and the worker (client) it said it speaks
// for in connection_init's `clientId`. A revoked key or a disabled client ends its sockets at once (4403).
// The events come from the bus (NOTIFY), so every gate on the database ends its own sockets; after the
// LISTEN connection was down, `recheck` asks the database about every owner, since a NOTIFY may have been lost.
import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { EventBus } from '../events/bus.ts';
import type { Logger } from '../observability/logger.ts';
import { forgetApiKey, forgetApiKeys, revokedApiKeyIds } from '../services/api-keys.ts';
import { disabledClientIds } from '../services/clients.ts';

export interface SocketOwner {
  keyId: string | null;
  clientId: string | null;
}

export class SocketOwners {
  private readonly owners = new Map<WebSocket, SocketOwner>();

  add(socket: WebSocket, owner: SocketOwner): void {
    this.owners.set(socket, owner);
  }

  remove(socket: WebSocket): void {
    this.owners.delete(socket);
  }

  get size(): number {
    return this.owners.size;
  }

  /** Closes the sockets whose owner matches; returns how many. */
  close(matches: (owner: SocketOwner) => boolean, reason: string): number {
    let closed = 0;
    for (const [socket, owner] of this.owners) {
      if (!matches(owner)) continue;
      this.owners.delete(socket);
      socket.close(CloseCode.Forbidden, reason);
      closed++;
    }
    return closed;
  }

  keyIds(): string[] {
    return [...new Set([...this.owners.values()].flatMap((o) => (o.keyId ? [o.keyId] : [])))];
  }

  clientIds(): string[] {
    return [...new Set([...this.owners.values()].flatMap((o) => (o.clientId ? [o.clientId] : [])))];
  }
}

export const KEY_REVOKED = 'Forbidden: API key revoked';
export const CLIENT_DISABLED = 'Forbidden: client disabled';

/** Ends sockets as keys are revoked and clients disabled, on whichever gate that happened. Returns a stop. */
export function endSocketsOfRevokedOwners(bus: EventBus, owners: SocketOwners, log: Logger): () => void {
  const report = (what: string, id: string, closed: number) => {
    if (closed) log.info({ [what]: id, closed }, 'websockets ended');
  };
  const offRevoked = bus.on('apiKeyRevoked', (keyId) => {
    forgetApiKey(keyId); // another gate may have revoked it: no cached "valid" may outlive the event
    report(
      'keyId',
      keyId,
      owners.close((o) => o.keyId === keyId, KEY_REVOKED),
    );
  });
  const offClient = bus.on('clientChanged', (clientId) => {
    if (!owners.clientIds().includes(clientId)) return;
    void disabledClientIds([clientId]).then(
      (disabled) =>
        report(
          'clientId',
          clientId,
          disabled.length ? owners.close((o) => o.clientId === clientId, CLIENT_DISABLED) : 0,
        ),
      (error) => log.warn({ err: error }, 'could not check a changed client'),
    );
  });
  const offReconnected = bus.on('reconnected', () => {
    forgetApiKeys();
    void recheck(owners).catch((error) => log.warn({ err: error }, 'could not recheck the websockets’ owners'));
  });
  return () => {
    offRevoked();
    offClient();
    offReconnected();
  };
}

async function recheck(owners: SocketOwners): Promise<void> {
  const revoked = new Set(await revokedApiKeyIds(owners.keyIds()));
  if (revoked.size) owners.close((o) => !!o.keyId && revoked.has(o.keyId), KEY_REVOKED);
  const disabled = new Set(await disabledClientIds(owners.clientIds()));
  if (disabled.size) owners.close((o) => !!o.clientId && disabled.has(o.clientId), CLIENT_DISABLED);
}
