// The object store: S3-compatible storage (AWS S3, MinIO, Ceph, R2; tests use s3rver) through the official
// AWS SDK v3. A version is three objects, `<prefix>/<documentId>/<sha256>/<documentId>.html.gz|.txt.gz|.json.gz`,
// each the part's gzip bytes with Content-Encoding gzip and the uncompressed size and sha256 as user metadata.
// Workers upload the HTML themselves through presigned PUTs (signUploads), so the bulk never passes through the
// gate; the gate checks each object with a HEAD before it records the document. Every write is preceded by an
// upload record (document_uploads), which is how orphans are found without listing the bucket (orphans.ts).
// The requests an upload makes (PUT, HEAD, presigning) and GET go out as plain signed requests (s3-requests.ts);
// listing and deleting, rare and batched, through the SDK's client.
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import { createHash } from 'node:crypto';
import type { DocumentStoreConfig } from './config.ts';
import { recordUploads } from '../../db/sql/document-uploads.ts';
import { errorOf, S3RequestError, S3Requests } from './s3-requests.ts';
import type {
  ContentKey,
  ContentPart,
  DocumentContent,
  DocumentStore,
  ListedContent,
  PartInfo,
  SignedUpload,
  UploadToSign,
} from './types.ts';

type S3Config = Extract<DocumentStoreConfig, { kind: 's3' }>;

const SUFFIX: Record<ContentPart, string> = { html: 'html.gz', text: 'txt.gz', metadata: 'json.gz' };
const CONTENT_TYPE: Record<ContentPart, string> = {
  html: 'text/html; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  metadata: 'application/json',
};
const PART_OF_SUFFIX = new Map(Object.entries(SUFFIX).map(([part, suffix]) => [suffix, part as ContentPart]));
/** Parallel requests of one put() */
const PARALLEL = 16;

export class S3Store implements DocumentStore {
  readonly kind = 'S3' as const;
  readonly label: string;
  private readonly client: S3Client;
  private readonly requests: S3Requests;
  private readonly root: string;

  constructor(
    private readonly config: S3Config,
    private readonly urlSeconds: number,
  ) {
    this.root = config.prefix ? `${config.prefix}/` : '';
    this.label = `s3://${config.bucket}/${config.prefix}${config.endpoint ? ` at ${config.endpoint}` : ''}`;
    // The SDK warns on Node < 22 in 8 lines at its first client: releases after early January 2027 need Node 22.
    // The version is pinned (package.json, README) and runs on Node 20 — CI checks it — so the warning would only
    // tell an operator about releases this gate does not install. An operator's own setting wins.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      // Checksums only where S3 requires them: the SDK's default CRC32 headers are not understood by every
      // S3-compatible server and would break presigned PUTs. Content-MD5 (signed) covers the bytes instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
    this.requests = new S3Requests(this.client, config.bucket);
  }

  /** `<prefix>/<id>/<sha256>/<id>.html.gz` */
  objectKey(key: ContentKey, part: ContentPart): string {
    return `${this.root}${key.documentId}/${key.sha256}/${key.documentId}.${SUFFIX[part]}`;
  }

  /** The headers of a part's PUT: what S3 keeps with the object (type, encoding, size and sha256 as user metadata). */
  private putHeaders(part: ContentPart, info: PartInfo & { md5: string }): Record<string, string> {
    return {
      'content-length': String(info.storedSize),
      'content-md5': info.md5,
      'content-type': CONTENT_TYPE[part],
      'content-encoding': 'gzip',
      'x-amz-meta-sha256': info.sha256,
      'x-amz-meta-size': String(info.size),
    };
  }

  async put(contents: DocumentContent[]): Promise<void> {
    await recordUploads(contents);
    // Parts without bytes were PUT by the worker itself (signUploads).
    const jobs = contents.flatMap((c) =>
      (Object.keys(c.parts) as ContentPart[]).flatMap((part) => {
        const { gzip, ...info } = c.parts[part];
        if (!gzip) return [];
        const md5 = createHash('md5').update(gzip).digest('base64');
        return [
          async () => {
            const key = this.objectKey(c, part);
            const response = await this.requests.send(key, 'PUT', this.putHeaders(part, { ...info, md5 }), gzip);
            if (response.status !== 200) throw await errorOf(response, `PUT ${key}`);
            response.body.resume();
          },
        ];
      }),
    );
    await new PQueue({ concurrency: PARALLEL }).addAll(jobs);
  }

  async signUploads(requests: UploadToSign[]): Promise<SignedUpload[]> {
    await recordUploads(requests.map((r) => r.key));
    const expiresAt = new Date(Date.now() + this.urlSeconds * 1000);
    return Promise.all(
      requests.map(async ({ key, part, info }) => {
        const headers = this.putHeaders(part, info);
        return {
          url: await this.requests.presignPut(this.objectKey(key, part), headers, this.urlSeconds),
          method: 'PUT' as const,
          // The worker's fetch sets Content-Length from the body; the user metadata travel in the URL.
          headers: {
            'content-md5': headers['content-md5'],
            'content-type': headers['content-type'],
            'content-encoding': headers['content-encoding'],
          },
          expiresAt,
        };
      }),
    );
  }

  /** Size and checksums as S3 reports them; `md5` is the ETag when it is one (single-part, no SSE-KMS). */
  async head(key: ContentKey, part: ContentPart): Promise<(PartInfo & { md5?: string }) | null> {
    const response = await this.requests.send(this.objectKey(key, part), 'HEAD', {});
    response.body.resume();
    if (response.status === 404) return null;
    if (response.status !== 200) throw new S3RequestError(response.status, '', `HEAD ${this.objectKey(key, part)}`);
    const etag = String(response.headers.etag ?? '').replace(/"/g, '');
    return {
      ...this.partInfo(response.headers),
      ...(/^[0-9a-f]{32}$/.test(etag) ? { md5: Buffer.from(etag, 'hex').toString('base64') } : {}),
    };
  }

  async get(key: ContentKey, part: ContentPart) {
    const response = await this.requests.send(this.objectKey(key, part), 'GET', {});
    if (response.status === 404) {
      response.body.resume();
      return null;
    }
    if (response.status !== 200) throw await errorOf(response, `GET ${this.objectKey(key, part)}`);
    return { info: this.partInfo(response.headers), body: response.body };
  }

  private partInfo(headers: Record<string, string | string[] | undefined>): PartInfo {
    const length = headers['content-length'];
    return {
      size: Number(headers['x-amz-meta-size'] ?? Number.NaN),
      sha256: String(headers['x-amz-meta-sha256'] ?? ''),
      storedSize: length === undefined ? -1 : Number(length),
    };
  }

  async exists(key: ContentKey): Promise<boolean> {
    const heads = await Promise.all((['html', 'text', 'metadata'] as const).map((part) => this.head(key, part)));
    return heads.every(Boolean);
  }

  async delete(keys: ContentKey[]): Promise<void> {
    const objects = keys.flatMap((k) =>
      (['html', 'text', 'metadata'] as const).map((p) => ({ Key: this.objectKey(k, p) })),
    );
    // DeleteObjects takes up to 1,000 keys; deleting a key that is not there is not an error.
    for (let i = 0; i < objects.length; i += 1000) {
      const result = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.config.bucket,
          Delete: { Objects: objects.slice(i, i + 1000), Quiet: true },
        }),
      );
      const failed = (result.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length)
        throw new Error(`S3 refused to delete ${failed.length} object(s): ${failed[0].Code} ${failed[0].Message}`);
    }
  }

  async *list({ afterDocumentId }: { afterDocumentId?: string } = {}): AsyncIterable<ListedContent> {
    let token: string | undefined;
    let last = '';
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.config.bucket,
          Prefix: this.root,
          ContinuationToken: token,
          StartAfter: !token && afterDocumentId ? `${this.root}${afterDocumentId}/~` : undefined,
        }),
      );
      for (const object of page.Contents ?? []) {
        const [documentId, sha256, name] = (object.Key ?? '').slice(this.root.length).split('/');
        if (!name || !PART_OF_SUFFIX.has(name.slice(documentId.length + 1))) continue;
        // Keys come in order, so a version's three objects are next to each other.
        const id = `${documentId}/${sha256}`;
        if (id === last) continue;
        last = id;
        yield { documentId, sha256, storedAt: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async close(): Promise<void> {
    this.requests.close();
    this.client.destroy();
  }
}
