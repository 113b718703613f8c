// Stores the full-text index of a batch of documents in one statement, on the driver (the texts are the largest
// parameters the gate sends; Prisma's $queryRaw serialised them to JSON and back first): each one's tsvector, built
// in JS from its stems (server/search/vector.ts) or, for the rare text with a stem that cannot be built there,
// `to_tsvector` of its stemmed words — the same value either way. The text itself stays in the document store
// (snippets read it there). Answers the registry ids it indexed (an unknown id is left out).
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export interface IndexedDocument {
  documentId: string;
  /** the tsvector's literal; null: build it from stemmedText */
  vector: string | null;
  stemmedText: string | null;
}

export async function indexDocumentTexts(documents: IndexedDocument[]): Promise<string[]> {
  if (documents.length === 0) return [];
  const rows = await run<{ documentId: string }>(Prisma.sql`
    UPDATE documents d
    SET search_vector = coalesce(x.vector::tsvector, to_tsvector('simple', x.stemmed)), indexed_at = now()
    FROM unnest(
      ${documents.map((d) => d.documentId)}::text[],
      ${documents.map((d) => d.vector)}::text[],
      ${documents.map((d) => d.stemmedText)}::text[]
    ) AS x(document_id, vector, stemmed)
    WHERE d.document_id = x.document_id
    RETURNING d.document_id AS "documentId"`);
  return rows.map((r) => r.documentId);
}
