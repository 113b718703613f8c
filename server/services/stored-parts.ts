// A part (text or HTML) of many stored documents as strings, for the search indexer, search snippets and
// exports: the database store answers a batch in one statement (inside the caller's transaction, if any:
// PGlite has one session), an object store with parallel GETs. The text of a decision lives only here, in
// the document store; nothing else keeps a copy.
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import PQueue from 'p-queue';
import { documentStore } from '../corpus/store/index.ts';
import type { prisma } from '../db/database.ts';
import { storedParts } from '../db/sql/stored-parts.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;
/** Parallel GETs of one batch from an object store */
const PARALLEL_GETS = 16;

export interface StoredVersion {
  documentId: string;
  /** the stored version (sha256 of the HTML); null: no content */
  sha256: string | null;
}

/** documentId → the part's text, for each document whose content the store has. */
export async function readStoredParts(
  db: Db,
  documents: StoredVersion[],
  part: 'text' | 'html',
): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const [documentId, gzip] of await readStoredGzip(db, documents, part)) texts.set(documentId, inflateText(gzip));
  return texts;
}

/**
 * A stored part as text. Inflated on the event loop: for parts of a few kB, zlib's thread pool (a gunzip stream)
 * costs more than it saves.
 */
export const inflateText = (gzip: Uint8Array): string => gunzipSync(gzip).toString('utf8');

/**
 * documentId → the part as stored (gzip), for each document whose content the store has: for a reader that
 * inflates one document at a time (the search indexer), so a batch's texts are not all in memory at once.
 */
export async function readStoredGzip(
  db: Db,
  documents: StoredVersion[],
  part: 'text' | 'html',
): Promise<Map<string, Uint8Array>> {
  const keys = documents.filter((d): d is { documentId: string; sha256: string } => !!d.sha256);
  const parts = new Map<string, Uint8Array>();
  if (keys.length === 0) return parts;
  const store = documentStore;
  if (store.kind === 'DATABASE') {
    for (const row of await storedParts(db, keys, part)) parts.set(row.documentId, row.gzip);
    return parts;
  }
  const gets = new PQueue({ concurrency: PARALLEL_GETS });
  await gets.addAll(
    keys.map((key) => async () => {
      const found = await store.get(key, part);
      if (found) parts.set(key.documentId, await buffer(found.body));
    }),
  );
  return parts;
}
