/**
 * A DOWNLOAD task: one registry search, its result rows from `startPage` (at most `maxDocuments`), and
 * each row's decision fetched into the outbox, from where it is uploaded to the gate's document store
 * (client/corpus/outbox.ts). Page by page: the gate is asked which rows it has stored (by any worker) and
 * those are skipped; a row already waiting in the outbox, or complete in the local copy (`--output-dir`,
 * then it is put into the outbox), is not fetched again; the others are fetched, up to `concurrency` at a
 * time, and written into the outbox (and into the local copy, when there is one).
 *
 * `signal` means "stop starting documents": the documents in flight finish and the result says
 * `interrupted`. A registry error that concerns the whole registry (challenge, rate limit that outlasted
 * the waits, network, 5xx) stops the task and is thrown; one that concerns one document (an unexpected or
 * unparsable page, a page over the size limit, a 4xx, a results row that names no decision) counts that document
 * as failed, with its reason, and the task goes on.
 *
 * At the end the task reconciles: every document the search promised in the task's range (from the search total
 * and the page range) is downloaded, skipped or failed. A shortfall is thrown (REGISTRY_ERROR, reason shortfall), so
 * the task fails visibly instead of completing with documents missing.
 */
import PQueue from 'p-queue';
import {
  type CollectedRow,
  type CollectedUnreadableRow,
  type Decision,
  RESULT_CAP,
  RegistryError,
  type RegistrySession,
  isUnreadableRow,
} from '../registry/index.ts';
import type { PolitenessStats } from '../registry/politeness.ts';
import type { GateClient, GateLease } from '../gate/client.ts';
import type { Outbox } from '../corpus/outbox.ts';
import { packWorkerFiles } from '../corpus/pack.ts';
import { copyDocument, documentFiles, writeDocumentFiles } from './files.ts';
import { formatLine, type Logger } from './log.ts';
import { documentsOnDisk } from './on-disk.ts';
import type { ProgressReporter } from './reporter.ts';
import { persist } from './retry.ts';

export interface DownloadCounts {
  downloaded: number;
  /** waiting in the outbox already, or complete in the local copy (not fetched again) */
  skippedLocal: number;
  /** the gate knew the document (another worker, or an earlier run, downloaded it) */
  skippedKnown: number;
  /** another task of this worker was fetching it at the same time */
  skippedDuplicate: number;
  failed: number;
}

export interface DownloadResult {
  counts: DownloadCounts;
  total: number;
  interrupted: boolean;
  summary: Record<string, unknown>;
  /** the documents this task put into the outbox (fetched, or taken from the local copy) */
  documentIds: string[];
}

export interface DownloadContext {
  lease: GateLease;
  session: RegistrySession;
  gate: GateClient;
  clientId: string;
  log: Logger;
  signal: AbortSignal;
  outbox: Outbox;
  /** the local copy, or null */
  outputDir: string | null;
  concurrency: number;
  reporter: ProgressReporter;
  onProgress(counts: DownloadCounts, total: number | null): void;
  /** Documents this worker process is fetching now (shared by its tasks), so none is fetched twice at once. */
  inFlight: Map<string, Promise<unknown>>;
  /**
   * The result pages are read and every document is queued: only the last `concurrency` or so are left to start,
   * so the worker may claim and search its next task meanwhile.
   */
  onLastStarted?(): void;
}

/** Errors of one document (the task goes on) vs errors of the registry (the task stops). */
export function isDocumentLevel(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.class === 'PARSE') return true;
  return error.class === 'REGISTRY_ERROR' && error.status !== undefined && error.status >= 400 && error.status < 500;
}

export class StorageError extends Error {
  override readonly name = 'StorageError';
}

/** Registry requests of this task (the politeness stats are shared by the worker's tasks). */
function statsSince(before: PolitenessStats, after: PolitenessStats): Record<string, number> {
  const earlier = before as unknown as Record<string, number>;
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - (earlier[key] ?? 0)]));
}

/**
 * The results row and decision header as the document's record holds them: documentFiles serialises the record
 * (JSON), so they go in as they are — a JSON copy of each made the same bytes at twice the cost.
 */
const asRecordField = (value: object) => value as Record<string, unknown>;

export async function runDownload(context: DownloadContext): Promise<DownloadResult> {
  const { lease, session, gate, log, signal, outbox, outputDir, reporter, inFlight } = context;
  const documentIds: string[] = [];
  const task = lease.task;
  const started = Date.now();
  const counts: DownloadCounts = { downloaded: 0, skippedLocal: 0, skippedKnown: 0, skippedDuplicate: 0, failed: 0 };
  const failedDocuments: Array<{ documentId?: string; page?: number; row?: number; error: string }> = [];
  const recordFailure = (failure: (typeof failedDocuments)[number]) => {
    counts.failed++;
    if (failedDocuments.length < 50) failedDocuments.push(failure);
  };
  let fatal: unknown = null;
  const stopInside = new AbortController();
  const stopped = () => signal.aborted || stopInside.signal.aborted;

  /** A line for this host's log that the gate also keeps with the task (the operator's view of it). */
  const note = (level: 'info' | 'warn', fields: Record<string, unknown>, msg: string) => {
    log[level]({ task: task.id, ...fields }, msg);
    reporter.logLine(
      formatLine(JSON.stringify({ level: level === 'warn' ? 40 : 30, time: Date.now(), msg, ...fields })),
    );
  };

  const statsBefore = session.stats;
  const search = await session.search(task.searchParams);
  const available = Math.max(0, Math.min(search.total, RESULT_CAP) - (task.startPage - 1) * search.perPage);
  const total = Math.min(task.maxDocuments, available);
  note(
    'info',
    { total: search.total, pages: search.pageCount, documents: total },
    `task ${task.id}: search found ${search.total}`,
  );

  const report = (documentId?: string) => {
    context.onProgress(counts, total);
    reporter.update({
      documentsDownloaded: counts.downloaded,
      documentsSkipped: counts.skippedLocal + counts.skippedKnown + counts.skippedDuplicate,
      documentsFailed: counts.failed,
      totalExpected: total,
      documentId,
    });
  };
  report();

  // Slow down on 429/503: halve the documents in flight, recover one at a time after 20 clean fetches.
  const queue = new PQueue({ concurrency: context.concurrency });
  let rateLimitsSeen = session.politeness.stats.rateLimitWaits;
  let cleanStreak = 0;
  const adjustPace = () => {
    const seen = session.politeness.stats.rateLimitWaits;
    if (seen > rateLimitsSeen) {
      rateLimitsSeen = seen;
      cleanStreak = 0;
      const slower = Math.max(1, Math.floor(queue.concurrency / 2));
      if (slower < queue.concurrency) note('warn', { concurrency: slower }, 'the registry asked us to slow down');
      queue.concurrency = slower;
    } else if (++cleanStreak >= 20 && queue.concurrency < context.concurrency) {
      cleanStreak = 0;
      queue.concurrency++;
    }
  };

  const fetchOne = async (row: CollectedRow) => {
    if (stopped()) return;
    const running = inFlight.get(row.documentId);
    if (running) {
      await running.catch(() => {});
      counts.skippedDuplicate++;
      return report(row.documentId);
    }
    const work = (async () => {
      let decision: Decision;
      try {
        decision = await session.fetchDecision(row.documentId);
      } finally {
        adjustPace();
      }
      const content = {
        documentId: row.documentId,
        sourceUrl: decision.url,
        html: decision.html,
        text: decision.text,
        row: asRecordField(row),
        decision: asRecordField(decision.metadata),
        taskId: task.id,
        page: row.page,
        fetchedAt: new Date(),
      };
      const { record, files } = documentFiles(content);
      // Packed from the bytes in hand: the upload need not read the files back.
      const packed = packWorkerFiles(row.documentId, files, record);
      // The local copy first, then the outbox: held in memory while the store answers (outbox.ts), else on disk
      // (linked to the local copy when they share a file system) — a document enters the outbox complete, so the
      // upload loop never finds it before the copy is made.
      const save = async (dir: string, write: () => Promise<void>) => {
        try {
          await write();
        } catch (error) {
          throw new StorageError(`cannot write document ${row.documentId} to ${dir}: ${(error as Error).message}`, {
            cause: error,
          });
        }
      };
      if (outputDir) await save(outputDir, () => writeDocumentFiles(outputDir, row.documentId, files));
      if (!outbox.hold(row.documentId, packed)) {
        await save(outbox.dir, () =>
          outputDir
            ? copyDocument(outputDir, outbox.dir, row.documentId)
            : writeDocumentFiles(outbox.dir, row.documentId, files),
        );
        outbox.added(row.documentId, packed);
      }
      documentIds.push(row.documentId);
    })();
    inFlight.set(row.documentId, work);
    try {
      await work;
      counts.downloaded++;
    } catch (error) {
      if (!isDocumentLevel(error)) {
        fatal ??= error;
        stopInside.abort();
        return;
      }
      const message = (error as Error).message;
      recordFailure({ documentId: row.documentId, error: message });
      reporter.documentFailed({
        documentId: row.documentId,
        errorClass: (error as RegistryError).class, // document-level errors are the registry's (isDocumentLevel)
        message: message || 'unknown error',
        courtName: row.courtName || null,
        adoptedOn: row.adoptedOn?.iso ?? null,
      });
      note('warn', { documentId: row.documentId, err: message }, 'document failed');
    } finally {
      inFlight.delete(row.documentId);
    }
    report(row.documentId);
  };

  /**
   * Counts the rows that name no decision as failed (with the reason), skips what the gate has stored or this
   * host has on disk, queues the rest. A decision on disk that the gate does not have goes up from the outbox
   * (the worker that fetched it lost its lease or died before it was uploaded; a decision is a fact all the same).
   */
  const handlePage = async (items: Array<CollectedRow | CollectedUnreadableRow>) => {
    const rows: CollectedRow[] = [];
    for (const item of items) {
      if (!isUnreadableRow(item)) {
        rows.push(item);
        continue;
      }
      recordFailure({ page: item.page, row: item.position, error: item.reason });
      note('warn', { page: item.page, row: item.position, text: item.text }, item.reason);
      report();
    }
    const known = new Set(
      await persist(() => gate.knownDocumentIds(rows.map((row) => row.documentId)), {
        log,
        what: 'knownDocumentIds',
        signal,
      }),
    );
    counts.skippedKnown += known.size;
    const unknown = rows.filter((r) => !known.has(r.documentId));
    const present = await documentsOnDisk(
      outbox,
      outputDir,
      unknown.map((row) => row.documentId),
    );
    const toFetch: CollectedRow[] = [];
    unknown.forEach((row, i) => {
      if (present[i]) {
        counts.skippedLocal++;
        documentIds.push(row.documentId);
      } else toFetch.push(row);
    });
    if (rows.length > toFetch.length) report();
    for (const row of toFetch) {
      if (stopped()) return;
      await queue.onSizeLessThan(context.concurrency);
      void queue.add(() => fetchOne(row));
    }
  };

  let pagesRead = 0;
  try {
    let batch: Array<CollectedRow | CollectedUnreadableRow> = [];
    for await (const row of session.collectRows({ startPage: task.startPage, maxDocuments: task.maxDocuments })) {
      if (batch.length > 0 && row.page !== batch[0].page) {
        pagesRead++;
        await handlePage(batch);
        batch = [];
      }
      if (stopped()) break;
      batch.push(row);
    }
    if (batch.length > 0 && !stopped()) {
      pagesRead++;
      await handlePage(batch);
    }
  } catch (error) {
    fatal ??= error;
    stopInside.abort();
  }
  if (!fatal && !stopped()) context.onLastStarted?.();
  await queue.onIdle();
  if (fatal) throw fatal;

  const skipped = counts.skippedLocal + counts.skippedKnown + counts.skippedDuplicate;
  const handled = counts.downloaded + skipped + counts.failed;
  if (!signal.aborted && handled < total) {
    throw new RegistryError(
      'REGISTRY_ERROR',
      `the search promised ${total} documents from page ${task.startPage} (total ${search.total}, ${search.perPage} per page) but its result pages held ${handled}: ${total - handled} missing`,
      { reason: 'shortfall' },
    );
  }
  return {
    counts,
    total,
    documentIds,
    interrupted: signal.aborted && handled < total,
    summary: {
      search: {
        total: search.total,
        pageCount: search.pageCount,
        perPage: search.perPage,
        capped: search.capped,
        transport: search.transport,
      },
      startPage: task.startPage,
      pagesRead,
      documents: { expected: total, ...counts },
      ...(failedDocuments.length > 0 ? { failedDocuments } : {}),
      registry: statsSince(statsBefore, session.stats),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    },
  };
}
