// The database document store's write: a batch of content versions. A version already there is left as it
// is. Each part's gzip bytes travel as a parameter of their own, in binary: nothing is encoded on the way
// (base64 in one jsonb parameter, as before, cost the gate a third more bytes and an encode per part).
// `insertDocumentContentsSql` is the statement as a part of another (store-database-documents.ts).
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export interface ContentRow {
  documentId: string;
  sha256: string;
  html: Buffer;
  text: Buffer;
  metadata: Buffer;
  htmlSize: number;
  textSize: number;
  metadataSize: number;
  textSha256: string;
  metadataSha256: string;
}

/**
 * The INSERT for a non-empty batch, in key order (concurrent batches lock in the same order). `onlyFor`: a query
 * of the document ids whose content to write (the rest of the batch is left out).
 */
export function insertDocumentContentsSql(rows: ContentRow[], onlyFor?: Prisma.Sql): Prisma.Sql {
  const values = rows.map(
    (r) => Prisma.sql`(${r.documentId}::text, ${r.sha256}::text, ${r.html}::bytea, ${r.text}::bytea,
      ${r.metadata}::bytea, ${r.htmlSize}::int, ${r.textSize}::int, ${r.metadataSize}::int, ${r.textSha256}::text,
      ${r.metadataSha256}::text)`,
  );
  return Prisma.sql`
    INSERT INTO document_contents (document_id, sha256, html, text, metadata, html_size, text_size, metadata_size,
      text_sha256, metadata_sha256)
    SELECT * FROM (VALUES ${Prisma.join(values)}) AS v(document_id, sha256, html, text, metadata, html_size,
      text_size, metadata_size, text_sha256, metadata_sha256)
    ${onlyFor ? Prisma.sql`WHERE v.document_id IN (${onlyFor})` : Prisma.empty}
    ORDER BY v.document_id, v.sha256
    ON CONFLICT (document_id, sha256) DO NOTHING`;
}

export async function insertDocumentContents(rows: ContentRow[]): Promise<void> {
  if (rows.length === 0) return;
  await run(insertDocumentContentsSql(rows));
}
