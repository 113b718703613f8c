/**
 * One HTTP(S) request whose body is already in memory (an upload batch's multipart Buffer, a manifest, an HTML
 * part), answered with the whole response body. Why not fetch: undici's fetch copies a Uint8Array body into a new
 * ArrayBuffer and feeds it to the socket through a web ReadableStream and an async generator, and reads the
 * answer through another stream — per request, for bytes that are one Buffer already. node:http writes the Buffer
 * as it is (keep-alive: Node's global agents keep connections open, as fetch's pool did).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface BytesAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function sendBytes(
  method: 'POST' | 'PUT',
  url: string,
  headers: Record<string, string>,
  body: Buffer | string,
  timeoutMs: number,
): Promise<BytesAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
