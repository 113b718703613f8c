// The database document store's write: a batch of content versions in one statement (the gzip parts travel
// as base64 in one jsonb parameter). A version already there is left as it is.
import type { Prisma } from '../../generated/prisma/client.ts';

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

export async function insertDocumentContents(
  db: Pick<Prisma.TransactionClient, '$executeRaw'>,
  rows: ContentRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({
      ...r,
      html: r.html.toString('base64'),
      text: r.text.toString('base64'),
      metadata: r.metadata.toString('base64'),
    })),
  );
  await db.$executeRaw`
    INSERT INTO document_contents (document_id, sha256, html, text, metadata, html_size, text_size, metadata_size,
      text_sha256, metadata_sha256)
    SELECT x."documentId", x.sha256, decode(x.html, 'base64'), decode(x.text, 'base64'), decode(x.metadata, 'base64'),
      x."htmlSize", x."textSize", x."metadataSize", x."textSha256", x."metadataSha256"
    FROM jsonb_to_recordset(${json}::jsonb) AS x("documentId" text, sha256 text, html text, text text, metadata text,
      "htmlSize" int, "textSize" int, "metadataSize" int, "textSha256" text, "metadataSha256" text)
    ORDER BY x."documentId", x.sha256
    ON CONFLICT (document_id, sha256) DO NOTHING`;
}
