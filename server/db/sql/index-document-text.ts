// Stores the full-text index of a batch of documents in one statement: the tsvector of each one's stemmed
// words (stemmed in JS, server/search). The text itself stays in the document store (snippets read it there).
// Answers the registry ids it indexed (an unknown id is left out).
import type { prisma } from '../database.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

export interface StemmedText {
  documentId: string;
  stemmedText: string;
}

export async function indexDocumentTexts(db: Db, documents: StemmedText[]): Promise<string[]> {
  if (documents.length === 0) return [];
  const rows = await db.$queryRaw<Array<{ documentId: string }>>`
    UPDATE documents d SET search_vector = to_tsvector('simple', x.stemmed), indexed_at = now()
    FROM unnest(${documents.map((d) => d.documentId)}::text[], ${documents.map((d) => d.stemmedText)}::text[])
      AS x(document_id, stemmed)
    WHERE d.document_id = x.document_id
    RETURNING d.document_id AS "documentId"`;
  return rows.map((r) => r.documentId);
}
