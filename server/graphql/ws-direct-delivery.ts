// A graphql-ws operation as a shared group's direct member (shared-subscriptions.ts): the group's result, serialised
// once, goes out as this operation's `next` message — the same JSON graphql-ws would send — written straight to the
// socket. Writes are corked per socket until the end of the current turn of the event loop, so when the event pump
// hands over several events at once (a page read after a burst, or while the gate catches up) each socket gets
// them in one write instead of one syscall per event; a lone event waits only for the current turn to end.
import type { Socket } from 'node:net';
import { MessageType } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { DirectDelivery } from './shared-subscriptions.ts';

/** Sockets corked in this turn of the event loop, uncorked together at its end. */
const corked = new Set<Socket>();

function uncorkAll() {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** Holds `socket`'s writes until the end of this turn (ws has no cork of its own: its net.Socket is `_socket`). */
function corkThisTurn(socket: WebSocket) {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (!raw || typeof raw.cork !== 'function' || corked.has(raw)) return;
  if (corked.size === 0) setImmediate(uncorkAll);
  raw.cork();
  corked.add(raw);
}

/** Delivery of results as `next` messages of operation `id` on `socket` (nothing once the socket is not open). */
export function operationDelivery(socket: WebSocket, id: string): DirectDelivery {
  // graphql-ws's own message, { id, type, payload }, with the payload spliced in as text
  const head = `{"id":${JSON.stringify(id)},"type":"${MessageType.Next}","payload":`;
  return {
    deliver(json) {
      if (socket.readyState !== socket.OPEN) return;
      corkThisTurn(socket);
      socket.send(`${head}${json}}`);
    },
  };
}
