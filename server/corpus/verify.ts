// Checking a part the way it arrived (gzip bytes) against what the sender says it is: the compressed size,
// then the uncompressed size (inflating stops past the size announced, itself within the limit, so a gzip bomb
// costs nothing) and sha256.
import { hash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { ContentPart, PartInfo } from './store/types.ts';

export class ContentRejected extends Error {
  override readonly name = 'ContentRejected';
}

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

export function checkDeclaredSize(part: ContentPart, info: PartInfo, maxBytes: number): void {
  if (info.size > maxBytes) throw new ContentRejected(`${part}: ${mb(info.size)} is over the limit of ${mb(maxBytes)}`);
}

/** The part's bytes, uncompressed, when they are what `info` says; else ContentRejected with the reason. */
export function inflateVerified(part: ContentPart, gzip: Buffer, info: PartInfo, maxBytes: number): Buffer {
  checkDeclaredSize(part, info, maxBytes);
  if (gzip.length !== info.storedSize)
    throw new ContentRejected(`${part}: ${gzip.length} bytes arrived, ${info.storedSize} were announced`);
  let bytes: Buffer;
  try {
    // Inflating stops past the announced size (within the limit, checked above): more is wrong whatever it is.
    // One output buffer of that size + 1 instead of zlib's 16 kB chunks: a 600-byte part takes no 16 kB buffer
    // of its own, a 25 kB one is not inflated into two and concatenated (less to allocate and collect per part).
    bytes = gunzipSync(gzip, { maxOutputLength: Math.max(1, info.size), chunkSize: Math.max(64, info.size + 1) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
      throw new ContentRejected(`${part}: more than the ${info.size} bytes announced, uncompressed`);
    throw new ContentRejected(`${part}: not gzip data (${(error as Error).message})`);
  }
  if (bytes.length !== info.size)
    throw new ContentRejected(`${part}: ${bytes.length} bytes uncompressed, ${info.size} were announced`);
  const sha256 = hash('sha256', bytes, 'hex'); // one call, no Hash object per part
  if (sha256 !== info.sha256) throw new ContentRejected(`${part}: sha256 ${sha256} does not match ${info.sha256}`);
  return bytes;
}
