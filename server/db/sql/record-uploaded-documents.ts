// The object store's write of an upload batch whose objects are in the store, as one statement inside the
// recording transaction (which holds the upload records' locks, services/document-recording.ts): the documents
// recorded (record-stored-documents.ts), their failed_documents rows cleared, and the upload records of exactly
// the versions recorded deleted (their objects are the documents' now, not orphans). One statement instead of
// three round trips. Returns the ids this statement recorded (the others were recorded before).
import { Prisma } from '../../generated/prisma/client.ts';
import { clearFailedDocumentsSql } from './clear-failed-documents.ts';
import { deleteUploadsSql } from './document-uploads.ts';
import { recordStoredDocumentsSql, type StoredDocumentRow } from './record-stored-documents.ts';

export async function recordUploadedDocuments(
  tx: Prisma.TransactionClient,
  records: StoredDocumentRow[],
): Promise<string[]> {
  if (records.length === 0) return [];
  const rows = await tx.$queryRaw<Array<{ documentId: string }>>(Prisma.sql`
    WITH recorded AS (${recordStoredDocumentsSql(records)}),
      cleared AS (${clearFailedDocumentsSql(records.map((r) => r.documentId))}),
      released AS (${deleteUploadsSql(records, Prisma.sql`SELECT "documentId" FROM recorded`)})
    SELECT "documentId" FROM recorded`);
  return rows.map((r) => r.documentId);
}
