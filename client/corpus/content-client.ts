/**
 * The gate's document-content routes as a client: prepare a batch (which documents the gate still needs,
 * presigned PUTs for an object store), PUT a part straight to the store, send the parts through the gate
 * (multipart, each part gzip), and read a stored part back. Failures are GateCallErrors, `retryable` when
 * sending the same thing later may work (gate or store unreachable, 5xx, 429).
 */
import { GateCallError } from '../gate/client.ts';
import { type MultipartFile, multipartBody } from './multipart-body.ts';
import { manifestEntry, type PackedDocument, PART_NAMES } from './pack.ts';
import { type BytesAnswer, sendBytes } from './send-bytes.ts';

export type UploadStatus = 'stored' | 'present' | 'upload' | 'retry' | 'rejected';

export interface SignedPut {
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
}

export interface UploadOutcome {
  documentId: string;
  status: UploadStatus;
  put?: SignedPut;
  code?: string;
  reason?: string;
}

export interface UploadAnswer {
  storage: 'DATABASE' | 'S3';
  /** the gate hands out presigned PUTs: the HTML should go straight to the store (prepare first) */
  directUploads?: boolean;
  /** the gate takes a batch's parts as one file `parts` (older gates do not say so: a file each) */
  partsFile?: boolean;
  documents: UploadOutcome[];
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

export class ContentClient {
  readonly baseUrl: string;
  /**
   * What the gate's last answer said: true when it wants the HTML PUT straight to an object store (a batch
   * then takes a prepare request first); until then a batch is one request with every part.
   */
  directUploads = false;
  /**
   * What the gate's last answer said: true when it takes every part of a batch as one file (cheaper for it to
   * parse than a file each); until then, and for a batch whose HTML went straight to the store, a file each.
   */
  partsFile = false;

  constructor(
    apiUrl: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs = 120_000,
  ) {
    // The gate's base URL, whether the user gave it or its /graphql endpoint.
    this.baseUrl = apiUrl.replace(/\/+$/, '').replace(/\/graphql$/, '');
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.apiKey ? { 'x-api-key': this.apiKey } : {}), ...extra };
  }

  /** A request that got no answer (`who`: what did not answer): retryable. */
  private unreachable(what: string, error: unknown, who = 'gate'): GateCallError {
    const cause = (error as Error).cause as Error | undefined;
    return new GateCallError(
      `${what}: ${who} unreachable: ${(error as Error).message}${cause ? ` (${cause.message})` : ''}`,
      'NETWORK',
      true,
    );
  }

  private async call(what: string, path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw this.unreachable(what, error);
    }
    if (response.ok) return response;
    throw this.refused(what, response.status, await response.text().catch(() => ''));
  }

  /** A POST of bytes in memory (sendBytes: no copy, no stream); the answer's JSON. */
  private async post<T>(what: string, path: string, contentType: string, body: Buffer | string): Promise<T> {
    let answer: BytesAnswer;
    try {
      answer = await sendBytes(
        'POST',
        `${this.baseUrl}${path}`,
        this.headers({ 'content-type': contentType }),
        body,
        this.timeoutMs,
      );
    } catch (error) {
      throw this.unreachable(what, error);
    }
    if (answer.status >= 200 && answer.status < 300) return JSON.parse(answer.body.toString('utf8')) as T;
    throw this.refused(what, answer.status, answer.body.toString('utf8'));
  }

  private refused(what: string, status: number, text: string): GateCallError {
    let detail = text.slice(0, 500);
    try {
      const body = JSON.parse(text) as { detail?: unknown };
      detail = typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
    } catch {
      // not JSON: keep the text
    }
    const code = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : `HTTP_${status}`;
    return new GateCallError(`${what}: the gate answered ${status}: ${detail}`, code, RETRYABLE.has(status));
  }

  async prepare(documents: PackedDocument[], clientId?: string | null): Promise<UploadAnswer> {
    const body = JSON.stringify({ clientId: clientId ?? null, documents: documents.map(manifestEntry) });
    return this.learn(
      await this.post<UploadAnswer>('prepare uploads', '/api/v1/documents/uploads', 'application/json', body),
    );
  }

  /** Sends the parts through the gate; `direct`: documents whose HTML went straight to the store. */
  async store(
    documents: PackedDocument[],
    clientId?: string | null,
    direct = new Set<string>(),
  ): Promise<UploadAnswer> {
    const files: MultipartFile[] = [];
    if (this.partsFile && direct.size === 0) {
      // Every part, in the manifest's order: html, text, metadata of each document (the gate splits them by size).
      const data = documents.flatMap((d) => PART_NAMES.map((part) => d.parts[part].gzip));
      files.push({ name: 'parts', type: 'application/octet-stream', data });
    } else {
      for (const d of documents) {
        for (const part of PART_NAMES) {
          if (part === 'html' && direct.has(d.documentId)) continue;
          files.push({ name: `${d.documentId}.${part}`, type: 'application/gzip', data: d.parts[part].gzip });
        }
      }
    }
    const { body, contentType } = multipartBody(
      { manifest: JSON.stringify({ clientId: clientId ?? null, documents: documents.map(manifestEntry) }) },
      files,
    );
    return this.learn(await this.post<UploadAnswer>('store documents', '/api/v1/documents/content', contentType, body));
  }

  private learn(answer: UploadAnswer): UploadAnswer {
    this.directUploads = answer.directUploads ?? answer.storage === 'S3';
    this.partsFile = answer.partsFile === true;
    return answer;
  }

  /** A presigned PUT straight to the object store (the gate's key is not sent there). */
  async putDirect(put: SignedPut, body: Buffer): Promise<void> {
    let answer: BytesAnswer;
    try {
      answer = await sendBytes(
        put.method,
        put.url,
        // sendBytes sets Content-Length from the body itself
        Object.fromEntries(Object.entries(put.headers).filter(([name]) => name.toLowerCase() !== 'content-length')),
        body,
        this.timeoutMs,
      );
    } catch (error) {
      throw this.unreachable('upload to the document store', error, 'store');
    }
    if (answer.status < 200 || answer.status >= 300) {
      const text = answer.body.toString('utf8').slice(0, 300);
      // 403 from S3 is usually an expired URL: preparing again gets a fresh one.
      throw new GateCallError(
        `upload to the document store: HTTP ${answer.status} ${text}`,
        `STORE_HTTP_${answer.status}`,
        true,
      );
    }
  }

  /**
   * A stored part (GET /api/v1/documents/<id>/html|text|json) and its ETag (the sha256). It travels gzip;
   * fetch inflates it, so these are the part's own bytes.
   */
  async read(documentId: string, part: 'html' | 'text' | 'json'): Promise<{ bytes: Buffer; sha256: string }> {
    const response = await this.call(`read ${part} of ${documentId}`, `/api/v1/documents/${documentId}/${part}`, {
      headers: this.headers({ 'accept-encoding': 'gzip' }),
    });
    const sha256 = (response.headers.get('etag') ?? '').replace(/"/g, '');
    return { bytes: Buffer.from(await response.arrayBuffer()), sha256 };
  }
}
