// The database document store's HEAD: sizes and checksums of a stored version's parts, without their bytes.
import { prisma } from '../database.ts';

export interface ContentInfoRow {
  htmlSize: number;
  textSize: number;
  metadataSize: number;
  htmlStored: number;
  textStored: number;
  metadataStored: number;
  textSha256: string;
  metadataSha256: string;
}

export async function documentContentInfo(documentId: string, sha256: string): Promise<ContentInfoRow | null> {
  const rows = await prisma.$queryRaw<ContentInfoRow[]>`
    SELECT html_size AS "htmlSize", text_size AS "textSize", metadata_size AS "metadataSize",
      octet_length(html) AS "htmlStored", octet_length(text) AS "textStored", octet_length(metadata) AS "metadataStored",
      text_sha256 AS "textSha256", metadata_sha256 AS "metadataSha256"
    FROM document_contents WHERE document_id = ${documentId} AND sha256 = ${sha256}`;
  return rows[0] ?? null;
}
