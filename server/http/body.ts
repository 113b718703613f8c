// Request bodies under a size limit: a declared Content-Length over the limit is refused before reading,
// a body that grows past it while streaming is cut off.
import type { IncomingMessage } from 'node:http';

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

export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  if (declaredLengthOver(req, limitBytes) !== null) throw new BodyTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
