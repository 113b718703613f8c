// A decision that reached the store is no longer a failure: its failed_documents row goes (same transaction).
import type { prisma } from '../database.ts';

type Db = Pick<typeof prisma, '$executeRaw'>;

export function clearFailedDocuments(db: Db, documentIds: string[]) {
  return db.$executeRaw`DELETE FROM failed_documents WHERE document_id = ANY(${documentIds}::text[])`;
}
