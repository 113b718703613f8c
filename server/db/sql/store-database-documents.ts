// The database store's whole write of an upload batch as one statement, so one implicit transaction with no
// BEGIN/COMMIT round trips: the content versions (insert-document-contents.ts), the documents recorded
// (record-stored-documents.ts) and their failed_documents rows cleared. A document's content and its record
// commit together or not at all. Returns the ids this statement recorded (the others were stored before).
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';
import { clearFailedDocumentsSql } from './clear-failed-documents.ts';
import { type ContentRow, insertDocumentContentsSql } from './insert-document-contents.ts';
import { recordStoredDocumentsSql, type StoredDocumentRow } from './record-stored-documents.ts';

export async function storeDatabaseDocuments(contents: ContentRow[], records: StoredDocumentRow[]): Promise<string[]> {
  if (records.length === 0) return [];
  const rows = await run<{ documentId: string }>(Prisma.sql`
    WITH contents AS (${insertDocumentContentsSql(contents)}),
      cleared AS (${clearFailedDocumentsSql(records.map((r) => r.documentId))}),
      recorded AS (${recordStoredDocumentsSql(records)})
    SELECT "documentId" FROM recorded`);
  return rows.map((r) => r.documentId);
}
