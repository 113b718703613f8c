// The search indexer: makes stored documents findable by their words, off the upload path. Its queue is the
// documents table itself — stored (stored_at) and not yet indexed (indexed_at null), found by a partial
// index — so nothing can be lost between storing and indexing: a gate that crashes after committing an
// upload leaves those rows queued, and the next drain (at start, once uploads pause, and every
// INDEX_INTERVAL_MS on every gate) indexes them. Texts are read back from the document store, a batch at a
// time. Several gates may drain at once: indexing a document twice writes the same vector.
// Uploads come first: a worker waits for its batch's answer, nobody waits for the index. So an upload batch
// does not start a drain on the event loop the next batches need: the drain starts once no batch has come
// for UPLOAD_PAUSE_MS, and at the latest MAX_INDEX_DELAY_MS after the first batch it waited for (a steady
// stream of uploads is indexed as it goes, in fuller batches).
import debounce from 'lodash/debounce.js';
import type { Logger } from '../observability/logger.ts';
import { prisma } from '../db/database.ts';
import { unindexedDocuments } from '../db/sql/unindexed-documents.ts';
import { indexDocumentTexts } from './document-index.ts';
import { readStoredGzip } from './stored-parts.ts';

const BATCH = 100;
const INDEX_INTERVAL_MS = 30_000;
const UPLOAD_PAUSE_MS = 200;
const MAX_INDEX_DELAY_MS = 2_000;

/** Indexes every queued document whose text the store gives; returns how many it indexed. */
export async function indexQueuedDocuments(batch = BATCH): Promise<number> {
  let indexed = 0;
  for (;;) {
    const queued = await unindexedDocuments(batch);
    if (queued.length === 0) return indexed;
    const texts = await readStoredGzip(prisma, queued, 'text');
    const done = await indexDocumentTexts(
      queued.flatMap((d) => {
        const textGzip = texts.get(d.documentId);
        return textGzip === undefined ? [] : [{ documentId: d.documentId, textGzip, typed: d }];
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

/**
 * An upload batch committed: drains once uploads pause (UPLOAD_PAUSE_MS), within MAX_INDEX_DELAY_MS at most.
 * Stopping the gate cancels a drain still waiting: its documents stay queued in the table, for the next start.
 */
export const indexAfterUploads = debounce(nudgeSearchIndexer, UPLOAD_PAUSE_MS, { maxWait: MAX_INDEX_DELAY_MS });

/** Starts draining: once now (what a previous run left), once uploads pause, and on a timer. */
export function startSearchIndexer(log: Logger, intervalMs = INDEX_INTERVAL_MS) {
  active = { log, timer: setInterval(nudgeSearchIndexer, intervalMs) };
  active.timer.unref();
  nudgeSearchIndexer();
  return {
    async stop() {
      if (active) clearInterval(active.timer);
      indexAfterUploads.cancel();
      active = null;
      await running;
    },
  };
}
