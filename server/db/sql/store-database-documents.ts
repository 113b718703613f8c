// The database store's whole write of an upload batch as one statement, so one implicit transaction with no
// BEGIN/COMMIT round trips: the documents recorded (record-stored-documents.ts), the content of exactly those
// (insert-document-contents.ts) and their failed_documents rows cleared. A document's content and its record
// commit together or not at all, and a version that lost the race to another (the row was recorded meanwhile)
// leaves no content row behind. Returns the ids this statement recorded (the others were stored before).
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';
import { clearFailedDocumentsSql } from './clear-failed-documents.ts';
import { type ContentRow, insertDocumentContentsSql } from './insert-document-contents.ts';
import { recordStoredDocumentsSql, type StoredDocumentRow } from './record-stored-documents.ts';

export async function storeDatabaseDocuments(contents: ContentRow[], records: StoredDocumentRow[]): Promise<string[]> {
  if (records.length === 0) return [];
  const rows = await run<{ documentId: string }>(Prisma.sql`
    WITH recorded AS (${recordStoredDocumentsSql(records)}),
      contents AS (${insertDocumentContentsSql(contents, Prisma.sql`SELECT "documentId" FROM recorded`)}),
      cleared AS (${clearFailedDocumentsSql(records.map((r) => r.documentId))})
    SELECT "documentId" FROM recorded`);
  return rows.map((r) => r.documentId);
}
