// Request bodies under a size limit: a declared Content-Length over the limit is refused before reading, a body
// that grows past it while streaming is cut off. A refused body is still read and thrown away (up to
// DISCARD_LIMIT_BYTES): a client that is still sending would otherwise get a connection reset instead of the
// answer — closing a socket with unread data makes the kernel send RST, which discards the answer on its way.
import type { IncomingMessage } from 'node:http';

/** How much of a refused or unread request body the gate reads and drops before it cuts the connection. */
export const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
  }
}

/** The declared length when it is over the limit (refuse before reading), else null. */
export function declaredLengthOver(req: IncomingMessage, limitBytes: number): number | null {
  const declared = Number(req.headers['content-length'] ?? NaN);
  return Number.isFinite(declared) && declared > limitBytes ? declared : null;
}

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  if (declaredLengthOver(req, limitBytes) !== null) return Promise.reject(new BodyTooLargeError(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (then: () => void) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      then();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) return void chunks.push(chunk);
      // Not destroyed (as for-await would): the 413 must reach a client that is still sending.
      settle(() => reject(new BodyTooLargeError(limitBytes)));
      discardBody(req);
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks)));
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = () => settle(() => reject(new Error('request aborted before its body ended')));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

const discarding = new WeakSet<IncomingMessage>();

/** Reads what is left of a request body and drops it; past DISCARD_LIMIT_BYTES the connection is cut. */
export function discardBody(req: IncomingMessage): void {
  if (req.complete || discarding.has(req)) return;
  discarding.add(req);
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT_BYTES) req.socket.destroy();
  });
  req.resume();
}
