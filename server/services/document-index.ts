// What makes a document findable: its typed metadata columns (from the metadata JSON, see
// client/rules/document-metadata.ts) and its full-text index (stems of header + text, see server/search).
// The content store calls indexDocumentContent when a document's text is stored; registration fills the
// typed columns; the gate backfills typed columns of older rows at start.
import { type TypedDocumentMetadata, typedMetadataOf } from '../../client/rules/index.ts';
import { prisma } from '../db/database.ts';
import { indexDocumentText } from '../db/sql/index-document-text.ts';
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

/** The index covers the header (case category) and the text; the text usually starts with the header. */
function indexedText(text: string, metadata: TypedDocumentMetadata | null): string {
  const header = [metadata?.caseCategory, metadata?.caseNumber].filter(
    (part): part is string => !!part && !text.includes(part),
  );
  return [...header, text].join('\n');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: PostgreSQL text cannot hold NUL
const NUL = /\u0000/g;

/**
 * Indexes a stored document's text (call it in the transaction that stores the content). `documentId` is
 * the registry id; `metadata`, when given, refreshes the typed columns too (same shapes as registration).
 * Returns false when the gate has no such document.
 */
export async function indexDocumentContent(
  tx: Db,
  input: { documentId: string; text: string; metadata?: unknown },
): Promise<boolean> {
  const text = input.text.replace(NUL, '');
  let typed: TypedDocumentMetadata | null = null;
  if (input.metadata && typeof input.metadata === 'object') {
    typed = typedMetadataOf(input.metadata, { documentId: input.documentId });
    const updated = await tx.document.updateMany({
      where: { documentId: input.documentId },
      data: withoutUnknownRegion(typedColumns(input.metadata, { documentId: input.documentId })),
    });
    if (updated.count === 0) return false;
  }
  const id = await indexDocumentText(tx, input.documentId, indexText(indexedText(text, typed)), text);
  return id !== null;
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
