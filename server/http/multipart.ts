// multipart/form-data request bodies (busboy): text fields and files, each file kept whole in memory up to
// its limit (a longer one is cut there, and whoever checks its announced size notices), the whole body
// under its own limit. Used by the batch upload of documents, whose parts are small gzip files.
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, declaredLengthOver } from './body.ts';

export interface MultipartLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
  maxFieldBytes: number;
}

export interface MultipartBody {
  fields: Map<string, string>;
  /** by field name */
  files: Map<string, Buffer>;
}

export class NotMultipartError extends Error {}

export function readMultipart(req: IncomingMessage, limits: MultipartLimits): Promise<MultipartBody> {
  if (declaredLengthOver(req, limits.maxTotalBytes) !== null)
    return Promise.reject(new BodyTooLargeError(limits.maxTotalBytes));
  if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? ''))
    return Promise.reject(new NotMultipartError('expected a multipart/form-data body'));
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    const files = new Map<string, Buffer>();
    let total = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe();
      req.resume(); // drain the rest, so the answer can still be sent on this connection
      reject(error);
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fieldSize: limits.maxFieldBytes, fields: 20 },
      });
    } catch (error) {
      return reject(new NotMultipartError((error as Error).message));
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new BodyTooLargeError(limits.maxFieldBytes));
      fields.set(name, value);
    });
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxTotalBytes) return fail(new BodyTooLargeError(limits.maxTotalBytes));
        chunks.push(chunk);
      });
      // A small file usually arrives as one chunk (a view of the request's bytes): kept as it is, not copied.
      stream.on('end', () => files.set(name, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    });
    parser.on('filesLimit', () => fail(new BodyTooLargeError(limits.maxTotalBytes)));
    parser.on('error', (error: Error) => fail(new NotMultipartError(`malformed multipart body: ${error.message}`)));
    parser.on('close', () => {
      if (!failed) resolve({ fields, files });
    });
    req.on('error', (error) => fail(error));
    req.pipe(parser);
  });
}
