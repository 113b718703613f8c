// What makes a document findable: its typed metadata columns (from the metadata JSON, see
// client/rules/document-metadata.ts) and its full-text index (stems of header + text, see server/search).
// Recording stored content fills the typed columns; the search indexer (search-indexer.ts) indexes the
// texts a batch at a time; registration fills the typed columns; the gate backfills typed columns of older
// rows at start.
import { type TypedDocumentMetadata, typedMetadataOf } from '../../client/rules/index.ts';
import { prisma } from '../db/database.ts';
import { type IndexedDocument, indexDocumentTexts as indexDocumentTextRows } from '../db/sql/index-document-text.ts';
import { indexStems, tsvectorLiteral } from '../search/index.ts';
import { inflateText } from './stored-parts.ts';

const dateOf = (iso: string | null) => (iso ? new Date(`${iso}T00:00:00Z`) : null);

/** The typed columns of a document, as Prisma data, from its metadata JSON. */
export function typedColumns(
  metadata: unknown,
  context: { documentId?: string | null; searchParams?: unknown } = {},
): Omit<TypedDocumentMetadata, keyof DateColumns> & DateColumns & { metadataTypedAt: Date } {
  const typed = typedMetadataOf(metadata, context);
  return {
    ...typed,
    adoptedOn: dateOf(typed.adoptedOn),
    sentOn: dateOf(typed.sentOn),
    registeredOn: dateOf(typed.registeredOn),
    publishedOn: dateOf(typed.publishedOn),
    inForceOn: dateOf(typed.inForceOn),
    metadataTypedAt: new Date(),
  };
}

interface DateColumns {
  adoptedOn: Date | null;
  sentOn: Date | null;
  registeredOn: Date | null;
  publishedOn: Date | null;
  inForceOn: Date | null;
}

type IndexedHeader = Pick<TypedDocumentMetadata, 'caseCategory' | 'caseNumber'>;

/** The index covers the header (case category) and the text; the text usually starts with the header. */
function indexedText(text: string, metadata: IndexedHeader | null): string {
  const header = [metadata?.caseCategory, metadata?.caseNumber].filter(
    (part): part is string => !!part && !text.includes(part),
  );
  return [...header, text].join('\n');
}

/** Documents stemmed between two turns of the event loop (a few ms of work for ordinary decisions) */
const STEM_SLICE = 5;

// biome-ignore lint/suspicious/noControlCharactersInRegex: PostgreSQL text cannot hold NUL
const NUL = /\u0000/g;

/** A document's text to index, as stored (gzip: inflated as it is stemmed), and its header when known (it joins the text). */
export interface TextToIndex {
  documentId: string;
  textGzip: Uint8Array;
  typed?: IndexedHeader | null;
}

/**
 * Indexes a batch of documents' texts in one statement (the search indexer calls it for stored documents).
 * Returns the registry ids it indexed (an id the gate does not know is left out).
 */
export async function indexDocumentTexts(documents: TextToIndex[]): Promise<Set<string>> {
  const rows: IndexedDocument[] = [];
  for (const [i, d] of documents.entries()) {
    // Stemming is synchronous work: let requests (uploads, searches) in between documents.
    if (i > 0 && i % STEM_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    const stems = indexStems(indexedText(inflateText(d.textGzip).replace(NUL, ''), d.typed ?? null));
    const vector = tsvectorLiteral(stems);
    rows.push({ documentId: d.documentId, vector, stemmedText: vector === null ? stems.join(' ') : null });
  }
  return new Set(await indexDocumentTextRows(rows));
}

/**
 * Fills the typed columns of documents registered before they existed (or by an older gate), a batch at a
 * time. Returns how many rows it typed.
 */
export async function backfillTypedMetadata(batch = 1000): Promise<number> {
  let typed = 0;
  for (;;) {
    const rows = await prisma.document.findMany({
      where: { metadataTypedAt: null },
      select: { id: true, documentId: true, metadata: true, task: { select: { searchParams: true } } },
      take: batch,
    });
    if (rows.length === 0) return typed;
    await prisma.$transaction(
      rows.map((row) =>
        prisma.document.update({
          where: { id: row.id },
          data: typedColumns(row.metadata, { documentId: row.documentId, searchParams: row.task?.searchParams }),
        }),
      ),
    );
    typed += rows.length;
  }
}
