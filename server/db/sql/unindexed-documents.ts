// The search indexer's queue: stored documents whose text is not indexed yet, oldest first (partial index
// documents_index_queue_idx), with what the index adds to the text (case category and number). On the driver
// directly (Database.run), as the indexer's other statements.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export interface UnindexedDocument {
  documentId: string;
  sha256: string;
  caseCategory: string | null;
  caseNumber: string | null;
}

export function unindexedDocuments(limit: number): Promise<UnindexedDocument[]> {
  return run<UnindexedDocument>(Prisma.sql`
    SELECT document_id AS "documentId", sha256, case_category AS "caseCategory", case_number AS "caseNumber"
    FROM documents
    WHERE stored_at IS NOT NULL AND indexed_at IS NULL
    ORDER BY stored_at
    LIMIT ${limit}`);
}
