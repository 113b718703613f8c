// The search indexer: makes stored documents findable by their words, off the upload path. Its queue is the
// documents table itself — stored (stored_at) and not yet indexed (indexed_at null), found by a partial
// index — so nothing can be lost between storing and indexing: a gate that crashes after committing an
// upload leaves those rows queued, and the next drain (at start, after every upload batch, and every
// INDEX_INTERVAL_MS on every gate) indexes them. Texts are read back from the document store, a batch at a
// time. Several gates may drain at once: indexing a document twice writes the same vector.
import type { Logger } from '../observability/logger.ts';
import { prisma } from '../db/database.ts';
import { unindexedDocuments } from '../db/sql/unindexed-documents.ts';
import { indexDocumentTexts } from './document-index.ts';
import { readStoredParts } from './stored-parts.ts';

const BATCH = 100;
const INDEX_INTERVAL_MS = 30_000;

/** Indexes every queued document whose text the store gives; returns how many it indexed. */
export async function indexQueuedDocuments(batch = BATCH): Promise<number> {
  let indexed = 0;
  for (;;) {
    const queued = await unindexedDocuments(prisma, batch);
    if (queued.length === 0) return indexed;
    const texts = await readStoredParts(prisma, queued, 'text');
    const done = await indexDocumentTexts(
      prisma,
      queued.flatMap((d) => {
        const text = texts.get(d.documentId);
        return text === undefined ? [] : [{ documentId: d.documentId, text, typed: d }];
      }),
    );
    indexed += done.size;
    // A text the store could not give stays queued for the next drain; stop when a batch made no progress.
    if (done.size === 0) {
      throw new Error(`${queued.length} stored document(s) could not be indexed: their text is not in the store`);
    }
    if (queued.length < batch) return indexed;
  }
}

let running: Promise<void> | null = null;
let again = false;
let active: { log: Logger; timer: NodeJS.Timeout } | null = null;

/** Asks the indexer to drain the queue (now, or right after the drain under way). */
export function nudgeSearchIndexer(): void {
  if (!active) return;
  if (running) {
    again = true;
    return;
  }
  const { log } = active;
  running = (async () => {
    do {
      again = false;
      try {
        await indexQueuedDocuments();
      } catch (error) {
        log.warn({ err: error }, 'search indexer: a drain failed; queued documents are indexed on the next one');
      }
    } while (again && active);
  })().finally(() => {
    running = null;
  });
}

/** Starts draining: once now (what a previous run left), after each upload batch, and on a timer. */
export function startSearchIndexer(log: Logger, intervalMs = INDEX_INTERVAL_MS) {
  active = { log, timer: setInterval(nudgeSearchIndexer, intervalMs) };
  active.timer.unref();
  nudgeSearchIndexer();
  return {
    async stop() {
      if (active) clearInterval(active.timer);
      active = null;
      await running;
    },
  };
}
