// The object store: S3-compatible storage (AWS S3, MinIO, Ceph, R2; tests use s3rver) through the official
// AWS SDK v3. A version is three objects, `<prefix>/<documentId>/<sha256>/<documentId>.html.gz|.txt.gz|.json.gz`,
// each the part's gzip bytes with Content-Encoding gzip and the uncompressed size and sha256 as user metadata.
// Workers upload the HTML themselves through presigned PUTs (signUploads), so the bulk never passes through the
// gate; the gate checks each object with a HEAD before it records the document. Every write is preceded by an
// upload record (document_uploads), which is how orphans are found without listing the bucket (orphans.ts).
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import PQueue from 'p-queue';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DocumentStoreConfig } from '../../config.ts';
import { recordUploads } from '../../db/sql/document-uploads.ts';
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
  private readonly root: string;

  constructor(
    private readonly config: S3Config,
    private readonly urlSeconds: number,
  ) {
    this.root = config.prefix ? `${config.prefix}/` : '';
    this.label = `s3://${config.bucket}/${config.prefix}${config.endpoint ? ` at ${config.endpoint}` : ''}`;
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
  }

  /** `<prefix>/<id>/<sha256>/<id>.html.gz` */
  objectKey(key: ContentKey, part: ContentPart): string {
    return `${this.root}${key.documentId}/${key.sha256}/${key.documentId}.${SUFFIX[part]}`;
  }

  private putCommand(key: ContentKey, part: ContentPart, info: PartInfo & { md5: string }, body?: Buffer) {
    return new PutObjectCommand({
      Bucket: this.config.bucket,
      Key: this.objectKey(key, part),
      Body: body,
      ContentLength: info.storedSize,
      ContentMD5: info.md5,
      ContentType: CONTENT_TYPE[part],
      ContentEncoding: 'gzip',
      Metadata: { sha256: info.sha256, size: String(info.size) },
    });
  }

  async put(contents: DocumentContent[]): Promise<void> {
    await recordUploads(contents);
    // Parts without bytes were PUT by the worker itself (signUploads).
    const jobs = contents.flatMap((c) =>
      (Object.keys(c.parts) as ContentPart[]).flatMap((part) => {
        const { gzip, ...info } = c.parts[part];
        if (!gzip) return [];
        const md5 = createHash('md5').update(gzip).digest('base64');
        return [() => this.client.send(this.putCommand(c, part, { ...info, md5 }, gzip))];
      }),
    );
    await new PQueue({ concurrency: PARALLEL }).addAll(jobs);
  }

  async signUploads(requests: UploadToSign[]): Promise<SignedUpload[]> {
    await recordUploads(requests.map((r) => r.key));
    const expiresAt = new Date(Date.now() + this.urlSeconds * 1000);
    return Promise.all(
      requests.map(async ({ key, part, info }) => ({
        url: await getSignedUrl(this.client, this.putCommand(key, part, info), {
          expiresIn: this.urlSeconds,
          signableHeaders: new Set(['content-md5', 'content-type', 'content-encoding']),
        }),
        method: 'PUT' as const,
        headers: {
          'content-md5': info.md5,
          'content-type': CONTENT_TYPE[part],
          'content-encoding': 'gzip',
        },
        expiresAt,
      })),
    );
  }

  /** Size and checksums as S3 reports them; `md5` is the ETag when it is one (single-part, no SSE-KMS). */
  async head(key: ContentKey, part: ContentPart): Promise<(PartInfo & { md5?: string }) | null> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key, part) }),
      );
      const etag = head.ETag?.replace(/"/g, '') ?? '';
      return {
        size: Number(head.Metadata?.size ?? Number.NaN),
        sha256: head.Metadata?.sha256 ?? '',
        storedSize: head.ContentLength ?? -1,
        ...(/^[0-9a-f]{32}$/.test(etag) ? { md5: Buffer.from(etag, 'hex').toString('base64') } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async get(key: ContentKey, part: ContentPart) {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key, part) }),
      );
      const info: PartInfo = {
        size: Number(object.Metadata?.size ?? Number.NaN),
        sha256: object.Metadata?.sha256 ?? '',
        storedSize: object.ContentLength ?? -1,
      };
      return { info, body: object.Body as Readable };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
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
    this.client.destroy();
  }
}

export function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.$metadata?.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey';
}
