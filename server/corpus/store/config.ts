// The document store's configuration: which store (DOCUMENT_STORE and the usual AWS_* variables) and the rules every
// store keeps (sizes, orphan grace, presigned URLs' lifetime). server/config.ts reads the environment and calls
// documentStoreConfig, turning its errors into configuration errors.
import { httpUrl } from '../../http-url.ts';

/** The variables the document store reads (server/config.ts validates their types). */
export interface DocumentStoreVariables {
  DOCUMENT_STORE: string;
  DOCUMENT_STORE_ENDPOINT?: string;
  AWS_ENDPOINT_URL_S3?: string;
  AWS_ENDPOINT_URL?: string;
  AWS_REGION?: string;
  AWS_DEFAULT_REGION?: string;
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  AWS_SESSION_TOKEN?: string;
  DOCUMENT_STORE_PATH_STYLE?: boolean;
  AWS_S3_FORCE_PATH_STYLE?: boolean;
}

/** Where decisions' content is kept (this folder): the gate's database, or S3-compatible object storage. */
export type DocumentStoreConfig =
  | { kind: 'database' }
  | {
      kind: 's3';
      bucket: string;
      /** key prefix without leading or trailing slash ('' for the bucket's root) */
      prefix: string;
      /** MinIO, Ceph, R2, s3rver…; unset: AWS's own endpoint for the region */
      endpoint?: string;
      region: string;
      /** bucket in the path (MinIO, Ceph) rather than in the host name (AWS's default) */
      forcePathStyle: boolean;
      /** unset: the AWS SDK's default chain (environment, profile, instance role) */
      credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    };

/** Rules of the document store that do not depend on which store it is. */
export interface CorpusLimits {
  /** largest part (HTML, text or metadata JSON) accepted, uncompressed */
  maxDocumentBytes: number;
  /** an upload not recorded within this time is an orphan the sweeper removes */
  orphanGraceSeconds: number;
  /** lifetime of presigned PUT URLs handed to workers (S3 store) */
  uploadUrlSeconds: number;
}

export const DEFAULT_CORPUS_LIMITS: CorpusLimits = {
  maxDocumentBytes: 10 * 1024 * 1024,
  orphanGraceSeconds: 3600,
  uploadUrlSeconds: 900,
};

/** DOCUMENT_STORE=database (default) or s3://bucket/prefix, with the usual AWS_* variables for the rest. */
export function documentStoreConfig(e: DocumentStoreVariables): DocumentStoreConfig {
  const value = e.DOCUMENT_STORE;
  if (value === '' || value.toLowerCase() === 'database') return { kind: 'database' };
  const fail = (why: string): never => {
    throw new Error(why);
  };
  if (!value.startsWith('s3://')) fail('expected "database" or s3://bucket/prefix');
  const [bucket, ...rest] = value.slice('s3://'.length).split('/');
  // S3's bucket naming rules (3-63 lower-case letters, digits, dots, hyphens), checked here so a typo fails at start.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    fail(`"${bucket}" is not a valid bucket name (3-63 lower-case letters, digits, dots and hyphens)`);
  const prefix = rest.filter(Boolean).join('/');
  const endpoint = e.DOCUMENT_STORE_ENDPOINT || e.AWS_ENDPOINT_URL_S3 || e.AWS_ENDPOINT_URL || undefined;
  if (endpoint && !httpUrl(endpoint))
    fail(`the endpoint ${endpoint} is not an http(s):// URL (DOCUMENT_STORE_ENDPOINT or AWS_ENDPOINT_URL_S3)`);
  if (!!e.AWS_ACCESS_KEY_ID !== !!e.AWS_SECRET_ACCESS_KEY)
    fail(
      'set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (then the AWS SDK looks for credentials itself)',
    );
  return {
    kind: 's3',
    bucket,
    prefix,
    endpoint,
    region: e.AWS_REGION || e.AWS_DEFAULT_REGION || 'us-east-1',
    // MinIO and Ceph want the bucket in the path; AWS wants it in the host name.
    forcePathStyle: e.DOCUMENT_STORE_PATH_STYLE ?? e.AWS_S3_FORCE_PATH_STYLE ?? !!endpoint,
    credentials: e.AWS_ACCESS_KEY_ID
      ? {
          accessKeyId: e.AWS_ACCESS_KEY_ID,
          secretAccessKey: e.AWS_SECRET_ACCESS_KEY!,
          ...(e.AWS_SESSION_TOKEN ? { sessionToken: e.AWS_SESSION_TOKEN } : {}),
        }
      : undefined,
  };
}
