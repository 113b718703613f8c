// Stores a document's full-text index: the tsvector of its stemmed words (stemmed in JS, server/search) and
// the text itself for snippets, in one statement. Answers the gate id of the document, or nothing when the
// registry id is unknown.
import type { prisma } from '../database.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

export async function indexDocumentText(
  db: Db,
  documentId: string,
  stemmedText: string,
  text: string,
): Promise<string | null> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    WITH indexed AS (
      UPDATE documents SET search_vector = to_tsvector('simple', ${stemmedText}), indexed_at = now()
      WHERE document_id = ${documentId}
      RETURNING id
    ), kept AS (
      INSERT INTO document_search_texts (document_id, text) SELECT id, ${text} FROM indexed
      ON CONFLICT (document_id) DO UPDATE SET text = EXCLUDED.text
    )
    SELECT id::text AS id FROM indexed`;
  return rows[0]?.id ?? null;
}
