// The search indexer's queue: stored documents whose text is not indexed yet, oldest first (partial index
// documents_index_queue_idx), with what the index adds to the text (case category and number).
import type { prisma } from '../database.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

export interface UnindexedDocument {
  documentId: string;
  sha256: string;
  caseCategory: string | null;
  caseNumber: string | null;
}

export function unindexedDocuments(db: Db, limit: number): Promise<UnindexedDocument[]> {
  return db.$queryRaw`
    SELECT document_id AS "documentId", sha256, case_category AS "caseCategory", case_number AS "caseNumber"
    FROM documents
    WHERE stored_at IS NOT NULL AND indexed_at IS NULL
    ORDER BY stored_at
    LIMIT ${limit}`;
}
