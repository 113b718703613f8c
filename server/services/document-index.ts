// What makes a document findable: its typed metadata columns (from the metadata JSON, see
// client/rules/document-metadata.ts) and its full-text index (stems of header + text, see server/search).
// Recording stored content fills the typed columns; the search indexer (search-indexer.ts) indexes the
// texts a batch at a time; registration fills the typed columns; the gate backfills typed columns of older
// rows at start.
import { type TypedDocumentMetadata, typedMetadataOf } from '../../client/rules/index.ts';
import { prisma } from '../db/database.ts';
import { indexDocumentTexts as indexDocumentTextRows } from '../db/sql/index-document-text.ts';
import { indexText } from '../search/index.ts';

type Db = Pick<typeof prisma, '$queryRaw' | 'document'>;

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

/** A document's text to index, and its header when known (it joins the text). */
export interface TextToIndex {
  documentId: string;
  text: string;
  typed?: IndexedHeader | null;
}

/**
 * Indexes a batch of documents' texts in one statement (the search indexer calls it for stored documents).
 * Returns the registry ids it indexed (an id the gate does not know is left out).
 */
export async function indexDocumentTexts(tx: Db, documents: TextToIndex[]): Promise<Set<string>> {
  const rows: Array<{ documentId: string; stemmedText: string }> = [];
  for (const [i, d] of documents.entries()) {
    // Stemming is synchronous work: let requests (uploads, searches) in between documents.
    if (i > 0 && i % STEM_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    const text = d.text.replace(NUL, '');
    rows.push({ documentId: d.documentId, stemmedText: indexText(indexedText(text, d.typed ?? null)) });
  }
  return new Set(await indexDocumentTextRows(tx, rows));
}

/**
 * Indexes one document's text. `metadata`, when given, refreshes the typed columns too (same shapes as
 * registration). Returns false when the gate has no such document.
 */
export async function indexDocumentContent(
  tx: Db,
  input: { documentId: string; text: string; metadata?: unknown },
): Promise<boolean> {
  let typed: TypedDocumentMetadata | null = null;
  if (input.metadata && typeof input.metadata === 'object') {
    typed = typedMetadataOf(input.metadata, { documentId: input.documentId });
    const updated = await tx.document.updateMany({
      where: { documentId: input.documentId },
      data: withoutUnknownRegion(typedColumns(input.metadata, { documentId: input.documentId })),
    });
    if (updated.count === 0) return false;
  }
  const indexed = await indexDocumentTexts(tx, [{ documentId: input.documentId, text: input.text, typed }]);
  return indexed.has(input.documentId);
}

/** Content metadata carries no task: a region it cannot tell must not erase one registration found. */
function withoutUnknownRegion<T extends { courtRegion: string | null; instance: string | null }>(columns: T) {
  const { courtRegion, instance, ...rest } = columns;
  return { ...rest, ...(courtRegion ? { courtRegion } : {}), ...(instance ? { instance } : {}) };
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
