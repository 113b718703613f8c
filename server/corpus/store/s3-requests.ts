// The object store's hot requests — PUT of a part, HEAD of the HTML a worker PUT, GET of a part, presigning a
// worker's PUT — as plain SigV4-signed HTTP requests (@smithy/signature-v4, the SDK's own signer, and node:http
// with a keep-alive agent) instead of through S3Client.send. A profile of uploads with the S3 store put about
// half of the gate's CPU in the SDK's per-call machinery (the middleware stack, endpoint rules resolved per
// call, schema (de)serialisation, retries) and much of its garbage; these four requests need none of it.
// Where the bucket is (endpoint, path or virtual-host style, signing region) the SDK says once, by presigning
// a probe URL; credentials are the S3Client's own provider (the SDK's default chain when none are configured).
// The signer caches its signing key per day, region and service; it hashes with the SDK's own Sha256 (node:crypto).
import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const PROBE = 'reyestr-endpoint-probe';
const ATTEMPTS = 3;
const TIMEOUT_MS = 60_000;

/** An S3 answer other than the one expected: its HTTP status and S3's error code. */
export class S3RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    what: string,
  ) {
    super(`S3 ${what}: HTTP ${status}${code ? ` ${code}` : ''}`);
    this.name = 'S3RequestError';
  }
}

/** RFC 3986 escaping, as the SDK escapes keys and query values. */
const rfc3986 = (s: string) =>
  /^[\w.~-]*$/.test(s)
    ? s
    : encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
/** An object key in a URL path: each segment escaped, `/` kept. */
const escapeKey = (key: string) => key.split('/').map(rfc3986).join('/');

interface Target {
  url: URL;
  signer: SignatureV4;
  region: string;
}

export interface S3Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
}

export class S3Requests {
  private target: Promise<Target> | null = null;
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /** Where the bucket's objects are and who signs for them, from one URL the SDK presigns. */
  private where(): Promise<Target> {
    this.target ??= (async () => {
      const probe = new URL(
        await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: PROBE }), { expiresIn: 60 }),
      );
      const region = (probe.searchParams.get('X-Amz-Credential') ?? '').split('/')[2];
      if (!region || !probe.pathname.endsWith(`/${PROBE}`)) throw new Error(`S3: unexpected presigned URL ${probe}`);
      const url = new URL(probe.origin);
      url.pathname = probe.pathname.slice(0, -PROBE.length);
      const signer = new SignatureV4({
        credentials: this.client.config.credentials,
        region,
        service: 's3',
        sha256: Sha256,
        uriEscapePath: false,
        applyChecksum: false,
      });
      return { url, signer, region };
    })().catch((error) => {
      this.target = null; // asked again next time (credentials or the network may be back)
      throw error;
    });
    return this.target;
  }

  private async request(key: string, method: string, headers: Record<string, string>) {
    const { url, signer } = await this.where();
    const path = `${url.pathname}${escapeKey(key)}`;
    const port = url.port ? Number(url.port) : undefined;
    const host = url.port ? `${url.hostname}:${url.port}` : url.hostname;
    return {
      signer,
      protocol: url.protocol,
      hostname: url.hostname,
      port,
      path,
      headers: { host, ...headers },
      method,
    };
  }

  /** A presigned URL for a PUT with exactly these headers (all signed: the worker must send them as they are). */
  async presignPut(key: string, headers: Record<string, string>, expiresIn: number): Promise<string> {
    const { signer, ...request } = await this.request(key, 'PUT', {
      ...headers,
      'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD', // as the SDK's presigner spells it
    });
    const signed = await signer.presign(
      { ...request, query: {} },
      { expiresIn, signableHeaders: new Set(Object.keys(headers).map((h) => h.toLowerCase())) },
    );
    const query = Object.entries(signed.query as Record<string, string>)
      .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
      .join('&');
    return `${request.protocol}//${request.headers.host}${request.path}?${query}`;
  }

  /** Sends a signed request (retried on a network error, 5xx or 429); the answer, whatever its status. */
  async send(key: string, method: 'PUT' | 'HEAD' | 'GET', headers: Record<string, string>, body?: Buffer) {
    const payloadHash = body ? createHash('sha256').update(body).digest('hex') : EMPTY_SHA256;
    for (let attempt = 1; ; attempt++) {
      const { signer, ...request } = await this.request(key, method, {
        ...headers,
        ...(body ? { 'content-length': String(body.length) } : {}),
        'x-amz-content-sha256': payloadHash,
      });
      const signed = await signer.sign({ ...request, query: {} });
      try {
        const response = await this.exchange(request.protocol, { ...request, headers: signed.headers }, body);
        if ((response.status < 500 && response.status !== 429) || attempt >= ATTEMPTS) return response;
        response.body.resume();
      } catch (error) {
        if (attempt >= ATTEMPTS) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }

  private exchange(protocol: string, options: http.RequestOptions, body?: Buffer): Promise<S3Response> {
    const agent = this.agents[protocol as 'http:' | 'https:'];
    const send = protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send({ ...options, agent, timeout: TIMEOUT_MS }, (res) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
      req.on('timeout', () => req.destroy(new Error(`S3: no answer within ${TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close() {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }
}

/** S3's error code from an error answer's XML body (read whole: they are small). */
export async function errorOf(response: S3Response, what: string): Promise<S3RequestError> {
  let text = '';
  for await (const chunk of response.body) text += chunk;
  return new S3RequestError(response.status, /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '', what);
}
