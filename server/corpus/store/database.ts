// The default document store: the gate's own database (PGlite or PostgreSQL), table document_contents. One
// row per version, each part as the worker's gzip bytes in a bytea column that TOAST keeps out of line
// without compressing again (STORAGE EXTERNAL). An upload writes it in the statement that records the
// documents (db/sql/store-database-documents.ts, with `contentRows`), so a document and its content commit
// together: this store cannot leave orphans behind.
import { Readable } from 'node:stream';
import { prisma } from '../../db/database.ts';
import { documentContentInfo } from '../../db/sql/document-content-info.ts';
import { type ContentRow, insertDocumentContents } from '../../db/sql/insert-document-contents.ts';
import type { ContentKey, ContentPart, DocumentContent, DocumentStore, ListedContent, PartInfo } from './types.ts';

const LIST_PAGE = 1000;
const gzipOf = (b: Buffer | null) => {
  // This store hands out no presigned uploads, so every part comes with its bytes.
  if (!b) throw new Error("the database store needs every part's bytes");
  return b;
};

/** The document_contents rows of content versions. */
export const contentRows = (contents: DocumentContent[]): ContentRow[] =>
  contents.map((c) => ({
    documentId: c.documentId,
    sha256: c.sha256,
    html: gzipOf(c.parts.html.gzip),
    text: gzipOf(c.parts.text.gzip),
    metadata: gzipOf(c.parts.metadata.gzip),
    htmlSize: c.parts.html.size,
    textSize: c.parts.text.size,
    metadataSize: c.parts.metadata.size,
    textSha256: c.parts.text.sha256,
    metadataSha256: c.parts.metadata.sha256,
  }));

export class DatabaseStore implements DocumentStore {
  readonly kind = 'DATABASE' as const;
  readonly label = 'database (table document_contents, gzip)';

  async put(contents: DocumentContent[]): Promise<void> {
    await insertDocumentContents(contentRows(contents));
  }

  async head(key: ContentKey, part: ContentPart): Promise<PartInfo | null> {
    const row = await documentContentInfo(key.documentId, key.sha256);
    if (!row) return null;
    if (part === 'html') return { size: row.htmlSize, sha256: key.sha256, storedSize: row.htmlStored };
    if (part === 'text') return { size: row.textSize, sha256: row.textSha256, storedSize: row.textStored };
    return { size: row.metadataSize, sha256: row.metadataSha256, storedSize: row.metadataStored };
  }

  async get(key: ContentKey, part: ContentPart) {
    const info = await this.head(key, part);
    if (!info) return null;
    const row = await prisma.documentContent.findUnique({
      where: { documentId_sha256: { documentId: key.documentId, sha256: key.sha256 } },
      select: { [part]: true } as { html: true },
    });
    if (!row) return null;
    const bytes = Buffer.from((row as unknown as Record<ContentPart, Uint8Array>)[part]);
    return { info, body: Readable.from([bytes]) };
  }

  async exists(key: ContentKey): Promise<boolean> {
    const n = await prisma.documentContent.count({ where: { documentId: key.documentId, sha256: key.sha256 } });
    return n > 0;
  }

  async delete(keys: ContentKey[]): Promise<void> {
    if (keys.length === 0) return;
    await prisma.documentContent.deleteMany({
      where: { OR: keys.map((k) => ({ documentId: k.documentId, sha256: k.sha256 })) },
    });
  }

  async *list({ afterDocumentId }: { afterDocumentId?: string } = {}): AsyncIterable<ListedContent> {
    // 'g' sorts after every hex digit: "after this document id" whatever its versions.
    let after: ContentKey | null = afterDocumentId ? { documentId: afterDocumentId, sha256: 'g' } : null;
    for (;;) {
      const rows = await prisma.documentContent.findMany({
        where: after
          ? {
              OR: [
                { documentId: { gt: after.documentId } },
                { documentId: after.documentId, sha256: { gt: after.sha256 } },
              ],
            }
          : {},
        select: { documentId: true, sha256: true, storedAt: true },
        orderBy: [{ documentId: 'asc' }, { sha256: 'asc' }],
        take: LIST_PAGE,
      });
      yield* rows;
      if (rows.length < LIST_PAGE) return;
      after = rows[rows.length - 1];
    }
  }

  async close(): Promise<void> {}
}
