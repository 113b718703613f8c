// A graphql-ws operation as a shared group's direct member (shared-subscriptions.ts): the group's result, serialised
// once, goes out as this operation's `next` message — the same JSON graphql-ws would send — written straight to the
// socket as one WebSocket frame built here: the operation's message head (encoded once per operation), the group's
// UTF-8 payload (encoded once per result) and the closing brace, behind the frame header. Through ws' send() each
// socket cost a string concatenation, its UTF-8 length and encoding, a frame header and two stream writes; at 1,000
// subscribers per event those, and their garbage, were most of the gate's work besides the syscall itself.
// Writes are corked per socket until the end of the current turn of the event loop, so when the event pump hands
// over several events at once (a page read after a burst, or while the gate catches up) each socket gets them in
// one write instead of one syscall per event; a lone event waits only for the current turn to end.
import type { Socket } from 'node:net';
import { MessageType } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { DirectDelivery, Serialised } from './shared-subscriptions.ts';

/** Sockets corked in this turn of the event loop, uncorked together at its end. */
const corked = new Set<Socket>();

function uncorkAll() {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** ws' net.Socket under `socket` (ws has no cork of its own and no public handle on it). */
const rawSocket = (socket: WebSocket) => (socket as unknown as { _socket?: Socket })._socket;

/** Holds `raw`'s writes until the end of this turn. */
function corkThisTurn(raw: Socket) {
  if (corked.has(raw)) return;
  if (corked.size === 0) setImmediate(uncorkAll);
  raw.cork();
  corked.add(raw);
}

const FIN_TEXT = 0x81; // FIN bit + opcode 1 (text): one whole, unfragmented text message
const CLOSING_BRACE = 0x7d;

/**
 * One unmasked text frame (RFC 6455 §5.2, as a server sends it) holding `head` + `payload` + `}`, in one buffer:
 * the length is 7 bits, or 126 and 16 bits, or 127 and 64 bits.
 */
export function textFrame(head: Buffer, payload: Buffer): Buffer {
  const length = head.length + payload.length + 1;
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (headerLength === 2) frame[1] = length;
  else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  head.copy(frame, headerLength);
  payload.copy(frame, headerLength + head.length);
  frame[frame.length - 1] = CLOSING_BRACE;
  return frame;
}

/** Delivery of results as `next` messages of operation `id` on `socket` (nothing once the socket is not open). */
export function operationDelivery(socket: WebSocket, id: string): DirectDelivery {
  // graphql-ws's own message, { id, type, payload }, with the payload spliced in
  const head = `{"id":${JSON.stringify(id)},"type":"${MessageType.Next}","payload":`;
  const headBytes = Buffer.from(head);
  // A frame of our own only where ws would write the same bytes at once: no extension negotiated (ws' server has
  // permessage-deflate off; with it, ws compresses and may queue frames), so ws' writes are whole frames written
  // synchronously and ours cannot fall between the parts of one of them. (Settled at the handshake: an operation
  // starts after connection_init, on an open socket.)
  const raw = socket.extensions === '' ? rawSocket(socket) : undefined;
  return {
    deliver(result: Serialised) {
      if (socket.readyState !== socket.OPEN) return;
      if (!raw) return void socket.send(`${head}${result.json()}}`);
      corkThisTurn(raw);
      raw.write(textFrame(headBytes, result.utf8()));
    },
  };
}
