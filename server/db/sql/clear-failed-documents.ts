// A decision that reached the store is no longer a failure: its failed_documents row goes (same transaction).
// `clearFailedDocumentsSql` is the statement as a part of another (store-database-documents.ts).
import { Prisma } from '../../generated/prisma/client.ts';
import type { prisma } from '../database.ts';

type Db = Pick<typeof prisma, '$executeRaw'>;

export const clearFailedDocumentsSql = (documentIds: string[]) =>
  Prisma.sql`DELETE FROM failed_documents WHERE document_id = ANY(${documentIds}::text[])`;

export function clearFailedDocuments(db: Db, documentIds: string[]) {
  return db.$executeRaw(clearFailedDocumentsSql(documentIds));
}
