// A real S3-protocol server for tests: s3rver, in this process, on 127.0.0.1 and a free port, with its own
// temp directory and one bucket. Production means MinIO, Ceph, AWS S3 or R2; this checks the protocol.
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { DocumentStoreConfig } from '../../server/corpus/store/config.ts';

export interface TestS3 {
  port: number;
  endpoint: string;
  bucket: string;
  /** the gate's settings for this server (prefix `corpus`) */
  storeConfig(prefix?: string): Extract<DocumentStoreConfig, { kind: 's3' }>;
  /** the environment a gate process needs for it */
  env(prefix?: string): Record<string, string>;
  /** every object key under the prefix */
  keys(prefix?: string): Promise<string[]>;
  client: S3Client;
  /** stop answering (the outage tests); start() again on the same port and directory */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}

/**
 * s3rver keeps an object as files in a folder per key prefix, and its DeleteObject removes the folders it leaves
 * empty — racing a PUT into the same folder (the gate's orphan sweep deleting a document's HTML while the text of
 * the same document is PUT): the PUT's file then cannot be opened, and s3rver, which has no error handler on that
 * write stream, throws it in this process (vitest counts it as an unhandled error). S3 itself has no folders, so
 * DeleteObject here removes the object's files and leaves the folders.
 */
function newS3rver(directory: string, port: number): S3rver {
  const server = new S3rver({ port, address: '127.0.0.1', silent: true, directory });
  const store = (server as unknown as { store: FilesystemStore }).store;
  store.deleteObject = async (bucket, key) => {
    const files = ['object', 'object.md5', 'metadata.json'].map((kind) => store.getResourcePath(bucket, key, kind));
    await Promise.all(files.map((file) => rm(file, { force: true })));
  };
  return server;
}

export async function startTestS3(bucket = 'reyestr-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'reyestr-s3-'));
  let server = newS3rver(directory, 0);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  let running = true;
  const s3: TestS3 = {
    port,
    endpoint,
    bucket,
    client,
    storeConfig: (prefix = 'corpus') => ({
      kind: 's3',
      bucket,
      prefix,
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }),
    env: (prefix = 'corpus') => ({
      DOCUMENT_STORE: `s3://${bucket}/${prefix}`,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    }),
    keys: async (prefix = 'corpus') => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    stop: async () => {
      if (!running) return;
      running = false;
      await server.close();
    },
    start: async () => {
      if (running) return;
      server = newS3rver(directory, port);
      await server.run();
      running = true;
    },
    close: async () => {
      client.destroy();
      if (running) await server.close();
      running = false;
      rmSync(directory, { recursive: true, force: true });
    },
  };
  return s3;
}
