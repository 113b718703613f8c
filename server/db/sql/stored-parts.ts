// The database document store, many documents at once: one part (its gzip bytes) of each named version, for
// the search indexer, snippets and exports. One statement whatever the batch; without a transaction (or with the
// client itself) on the driver directly (Database.run): Prisma's result mapping cost the indexer more than the read.
import { Prisma } from '../../generated/prisma/client.ts';
import { type QueryRunner, runIn } from '../database.ts';

/** Column per part: a constant map, so Prisma.raw never sees input. */
const COLUMN = { html: 'html', text: 'text', metadata: 'metadata' } as const;

export async function storedParts(
  db: QueryRunner,
  keys: Array<{ documentId: string; sha256: string }>,
  part: keyof typeof COLUMN,
): Promise<Array<{ documentId: string; gzip: Uint8Array }>> {
  if (keys.length === 0) return [];
  const query = Prisma.sql`
    SELECT c.document_id AS "documentId", c.${Prisma.raw(COLUMN[part])} AS gzip
    FROM document_contents c
    JOIN unnest(${keys.map((k) => k.documentId)}::text[], ${keys.map((k) => k.sha256)}::text[]) AS k(document_id, sha256)
      ON c.document_id = k.document_id AND c.sha256 = k.sha256`;
  type Row = { documentId: string; gzip: Uint8Array };
  return runIn<Row>(db, query);
}
