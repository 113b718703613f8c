// A decision that reached the store is no longer a failure: its failed_documents row goes, as a part of the
// statement that records it (store-database-documents.ts, record-uploaded-documents.ts).
import { Prisma } from '../../generated/prisma/client.ts';

export const clearFailedDocumentsSql = (documentIds: string[]) =>
  Prisma.sql`DELETE FROM failed_documents WHERE document_id = ANY(${documentIds}::text[])`;
