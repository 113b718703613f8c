// Upload records of the object store (document_uploads): one is written before any object of a version is,
// and deleted by the transaction that records the document. What outlives the grace period unrecorded is an
// orphan (a worker that uploaded and never confirmed, a gate that crashed between the PUT and the record).
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

interface Key {
  documentId: string;
  sha256: string;
}

/** The versions `keys` name, as rows (document_id, sha256) for `IN` and `INSERT … SELECT`. */
const versions = (keys: Key[]) =>
  Prisma.sql`SELECT * FROM unnest(${keys.map((k) => k.documentId)}::text[], ${keys.map((k) => k.sha256)}::text[])`;

/** Records (or refreshes: the grace period starts again) uploads about to happen; on the driver (every batch, twice). */
export async function recordUploads(keys: Key[]): Promise<void> {
  if (keys.length === 0) return;
  await run(Prisma.sql`
    INSERT INTO document_uploads (document_id, sha256)
    ${versions(keys)}
    ON CONFLICT (document_id, sha256) DO UPDATE SET created_at = now()`);
}

/**
 * Inside the recording transaction: locks the upload records of these versions and says which exist. A
 * version without one (never prepared, or swept as an orphan meanwhile) must be uploaded again.
 */
export async function lockUploads(tx: Prisma.TransactionClient, keys: Key[]): Promise<UploadRecord[]> {
  if (keys.length === 0) return [];
  return tx.$queryRaw<UploadRecord[]>`
    SELECT u.document_id AS "documentId", u.sha256, ${RECORDED} AS recorded FROM document_uploads u
    WHERE (u.document_id, u.sha256) IN (${versions(keys)})
    ORDER BY u.document_id, u.sha256
    FOR UPDATE OF u`;
}

export async function deleteUploads(tx: Prisma.TransactionClient, keys: Key[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.$executeRaw(deleteUploadsSql(keys));
}

/**
 * The delete as a part of another statement (record-uploaded-documents.ts); `onlyOf`, a query of document ids,
 * narrows it to those documents.
 */
export function deleteUploadsSql(keys: Key[], onlyOf?: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`DELETE FROM document_uploads WHERE (document_id, sha256) IN (${versions(keys)})
    ${onlyOf ? Prisma.sql`AND document_id IN (${onlyOf})` : Prisma.empty}`;
}

export interface UploadRecord extends Key {
  /** the documents row records this very version: only the upload record is stale, not the objects */
  recorded: boolean;
}

const RECORDED = Prisma.sql`EXISTS (SELECT 1 FROM documents d
  WHERE d.document_id = u.document_id AND d.sha256 = u.sha256 AND d.stored_at IS NOT NULL)`;

/**
 * The sweeper's side: locks a batch of upload records older than the grace period (skipping any a recording
 * transaction holds) and says, for each, whether its version was recorded after all.
 */
export async function lockExpiredUploads(
  tx: Prisma.TransactionClient,
  graceSeconds: number,
  limit: number,
): Promise<UploadRecord[]> {
  return tx.$queryRaw<UploadRecord[]>`
    SELECT u.document_id AS "documentId", u.sha256, ${RECORDED} AS recorded
    FROM document_uploads u
    WHERE u.created_at < now() - make_interval(secs => ${graceSeconds}::float8)
    ORDER BY u.created_at
    LIMIT ${limit}
    FOR UPDATE OF u SKIP LOCKED`;
}
