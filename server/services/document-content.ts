// Reading a stored decision: one part (HTML, text or metadata JSON) from the document store, as gzip bytes
// to stream (REST) or as a string (GraphQL fields, read only when asked for).
import { createGunzip } from 'node:zlib';
import { prisma } from '../db/database.ts';
import { documentStore } from '../corpus/store/index.ts';
import type { ContentPart, PartStream } from '../corpus/store/types.ts';
import type { Document } from '../generated/prisma/client.ts';
import { requireActor, type Actor } from './actor.ts';
import { badInput, notFound } from './errors.ts';
import { text } from 'node:stream/consumers';

export interface StoredPartStream extends PartStream {
  document: Document;
}

/** A stored document's part: gzip bytes and what they are. A worker key may read. */
export async function openDocumentPart(
  actor: Actor | null,
  documentId: string,
  part: ContentPart,
): Promise<StoredPartStream> {
  requireActor(actor);
  if (!/^\d{1,15}$/.test(documentId))
    throw badInput('documentId: must be the registry document id (digits)', [
      { path: ['documentId'], message: 'must be the registry document id (digits)' },
    ]);
  const document = await prisma.document.findUnique({ where: { documentId } });
  if (!document?.storedAt) throw notFound('stored document', documentId);
  return { document, ...(await partOf(document, part)) };
}

async function partOf(document: Document, part: ContentPart): Promise<PartStream> {
  const found = await documentStore.get({ documentId: document.documentId, sha256: document.sha256! }, part);
  // The row says the content is stored: its absence is a fault of the store, not of the request.
  if (!found) throw new Error(`document ${document.documentId}: ${part} is missing from the ${documentStore.label}`);
  return found;
}

/** A part as a string (GraphQL), or null when the document has no stored content. */
export async function documentPartText(document: Document, part: ContentPart): Promise<string | null> {
  if (!document.storedAt || !document.sha256) return null;
  const { body } = await partOf(document, part);
  return text(body.pipe(createGunzip()));
}
