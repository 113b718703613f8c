/**
 * The worker's outbox: every decision it fetches is written here first (the worker layout, each document
 * renamed into place whole) and uploaded to the gate's document store from here, in batches, by one
 * background loop — so a gate or store that is away costs nothing but time: documents wait on disk and go up
 * when it is back (at the latest when a worker starts on this outbox again). A document leaves the outbox
 * only when the gate answered that it is stored (or had it already). One the gate refuses for good (bad
 * content, a task this key never held) is moved to `.rejected/<id>/` with the reason beside it — visible,
 * never silently dropped. Several workers may share an outbox: uploads are idempotent by id and sha256.
 */
import { mkdir, readdir, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isKeyRefused, isRetryableGateError } from '../gate/client.ts';
import type { Logger } from '../worker/log.ts';
import { sleep } from '../worker/retry.ts';
import { Waker } from '../worker/waker.ts';
import type { ContentClient } from './content-client.ts';
import { packFromWorkerLayout, type PackedDocument, UnreadableDocument } from './pack.ts';
import { uploadBatch } from './upload.ts';
import { documentPaths } from '../worker/files.ts';

export const REJECTED_DIR = '.rejected';
/** Packed documents kept in memory for upload at most (beyond it they are read from disk when their turn comes). */
const MAX_PACKED_BYTES = 8 * 1024 * 1024;

const storedBytes = (d: PackedDocument) =>
  d.parts.html.storedSize + d.parts.text.storedSize + d.parts.metadata.storedSize;

export interface OutboxOptions {
  dir: string;
  client: ContentClient;
  log: Logger;
  /** the worker's client id, once registered */
  clientId(): string | null;
  /** documents per batch (default 25) */
  batchSize?: number;
  /** compressed bytes per batch (default 8 MB) */
  batchBytes?: number;
  /** a scan for documents nobody announced (other workers' leftovers) this often (default 5 s) */
  scanIntervalMs?: number;
  /** longest wait between tries while the gate or store is away (default 30 s) */
  maxBackoffMs?: number;
}

export interface OutboxStats {
  stored: number;
  present: number;
  rejected: number;
  retried: number;
}

/** The ids of the complete documents in a folder of the worker layout. */
export async function documentIdsIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && /^\d{1,15}$/.test(e.name)).map((e) => e.name);
}

export class Outbox {
  readonly stats: OutboxStats = { stored: 0, present: 0, rejected: 0, retried: 0 };
  /** the gate or the store is not answering: uploads wait (and nobody should wait for them) */
  outage = false;
  private readonly waiting = new Set<string>();
  /** documents packed by the worker that wrote them (their bytes were in hand), so not read back from disk */
  private readonly packed = new Map<string, PackedDocument>();
  private packedBytes = 0;
  private readonly waker = new Waker();
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly settledListeners = new Set<() => void>();
  private readonly retryLater = new Set<string>();
  /** failed tries in a row: the back-off while the gate or store is away grows with it */
  private failures = 0;

  constructor(private readonly options: OutboxOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  /** Documents known to wait for upload. */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * A document was written into the outbox: upload it soon. `packed`: the same document packed from the bytes just
   * written, kept (up to MAX_PACKED_BYTES) so the upload need not read and verify the files again.
   */
  added(documentId: string, packed?: PackedDocument): void {
    this.waiting.add(documentId);
    if (packed && !this.packed.has(documentId) && this.packedBytes + storedBytes(packed) <= MAX_PACKED_BYTES) {
      this.packed.set(documentId, packed);
      this.packedBytes += storedBytes(packed);
    }
    // During an outage a new document waits for the back-off (or for `gateAnswers`) like the rest: waking on
    // each one would hammer a gate that is away and grow the back-off far past the outage.
    if (!this.outage) this.wake();
  }

  /**
   * Something else the worker sends (heartbeat, claim) reached the gate again: try at once rather than at the
   * end of a back-off that may have grown to its maximum while the gate was away.
   */
  gateAnswers(): void {
    if (!this.outage) return;
    this.failures = 0;
    this.wake();
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the loop; with a deadline, uploads what it can until then first. */
  async stop(deadline?: number): Promise<void> {
    if (deadline !== undefined && this.loop) await this.drained(deadline);
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  /**
   * Resolves when none of `ids` waits for upload any more, when the gate or store is away (then waiting
   * would only hold the caller up: the documents go up later), or at `deadline`.
   */
  async settled(ids: Iterable<string>, deadline = Number.POSITIVE_INFINITY): Promise<void> {
    const list = [...ids];
    while (!this.stopped && !this.outage && Date.now() < deadline && list.some((id) => this.waiting.has(id))) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, Math.min(1_000, deadline - Date.now())));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.settledListeners.add(done);
      });
    }
  }

  private async drained(deadline: number): Promise<void> {
    while (!this.stopped && Date.now() < deadline) {
      const left = (await documentIdsIn(this.dir)).filter((id) => !this.retryLater.has(id));
      if (left.length === 0) return;
      this.wake();
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  }

  private wake(): void {
    this.waker.wake();
  }

  private nap(ms: number): Promise<void> {
    return this.waker.nap(ms);
  }

  private notifySettled(): void {
    for (const listener of [...this.settledListeners]) listener();
    this.settledListeners.clear();
  }

  private async run(): Promise<void> {
    const { log } = this.options;
    while (!this.stopped) {
      const ids = await documentIdsIn(this.dir);
      // What the gate asked to send again goes after the rest, on the next pass.
      const batchable = ids.filter((id) => !this.retryLater.has(id));
      this.retryLater.clear();
      const onDisk = new Set(ids);
      for (const id of this.waiting) if (!onDisk.has(id)) this.stopWaiting(id);
      for (const id of ids) this.waiting.add(id);
      if (batchable.length === 0) {
        this.notifySettled();
        await this.nap(ids.length > 0 ? 1_000 : (this.options.scanIntervalMs ?? 5_000));
        continue;
      }
      try {
        await this.uploadAll(batchable);
        if (this.outage) log.info({ pending: this.waiting.size }, 'document store reachable again; uploading');
        this.outage = false;
        this.failures = 0;
      } catch (error) {
        // Never fatal for the worker: the gate or store away (the usual case), or a disk problem, is retried.
        if (isKeyRefused(error)) {
          if (!this.outage)
            log.error(
              { err: error.message, pending: this.waiting.size },
              'the gate refuses this key; documents stay in the outbox for a worker with a valid key',
            );
        } else if (!isRetryableGateError(error))
          log.error({ err: (error as Error).message }, 'uploading from the outbox failed; trying again');
        else if (this.outage) log.debug({ err: (error as Error).message }, 'uploading still fails');
        else
          log.warn(
            { err: (error as Error).message, pending: this.waiting.size },
            'cannot upload documents now; they wait in the outbox',
          );
        this.outage = true;
        this.notifySettled();
        const wait = Math.min(this.options.maxBackoffMs ?? 30_000, 500 * 2 ** this.failures++);
        await this.nap(Math.round(wait * (0.75 + Math.random() * 0.5)));
      }
      this.notifySettled();
    }
  }

  private async uploadAll(ids: string[]): Promise<void> {
    const size = this.options.batchSize ?? 25;
    const maxBytes = this.options.batchBytes ?? 8 * 1024 * 1024;
    let batch: PackedDocument[] = [];
    let bytes = 0;
    for (const id of ids) {
      if (this.stopped) return;
      let packed = this.packed.get(id);
      try {
        packed ??= await packFromWorkerLayout(this.dir, id);
      } catch (error) {
        if (!(error instanceof UnreadableDocument)) throw error;
        // Gone meanwhile (another worker on this outbox uploaded it) or broken: only the latter is news.
        if ((await documentIdsIn(this.dir)).includes(id)) await this.reject(id, error.message);
        continue;
      }
      const packedBytes = storedBytes(packed);
      if (batch.length > 0 && (batch.length >= size || bytes + packedBytes > maxBytes)) {
        await this.send(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(packed);
      bytes += packedBytes;
    }
    if (batch.length > 0 && !this.stopped) await this.send(batch);
  }

  private async send(batch: PackedDocument[]): Promise<void> {
    let answers: Awaited<ReturnType<typeof uploadBatch>>;
    this.options.log.debug({ documents: batch.length }, 'uploading a batch of documents');
    try {
      answers = await uploadBatch(this.options.client, batch, this.options.clientId());
    } catch (error) {
      // A key or client the gate refuses (revoked, disabled) says nothing about the documents: they stay, for a
      // worker with a valid key.
      if (isRetryableGateError(error) || isKeyRefused(error)) throw error;
      // The gate refused the batch as a whole (malformed for it, key refused): find out which document by
      // sending them one at a time; a lone document refused like that is rejected.
      if (batch.length > 1) {
        for (const document of batch) await this.send([document]);
        return;
      }
      return this.reject(batch[0].documentId, (error as Error).message);
    }
    for (const document of batch) {
      const answer = answers.get(document.documentId);
      if (answer?.status === 'stored' || answer?.status === 'present') {
        this.stats[answer.status]++;
        await this.remove(document.documentId);
        this.stopWaiting(document.documentId);
      } else if (answer?.status === 'rejected') {
        await this.reject(document.documentId, `${answer.code}: ${answer.reason}`);
      } else {
        this.stats.retried++;
        this.retryLater.add(document.documentId);
        this.options.log.debug(
          { documentId: document.documentId, reason: answer?.reason ?? 'no answer' },
          'the gate asked to upload again',
        );
      }
    }
  }

  /** A document no longer waits (uploaded, rejected, or gone from the outbox): its packed bytes go too. */
  private stopWaiting(documentId: string): void {
    this.waiting.delete(documentId);
    const packed = this.packed.get(documentId);
    if (!packed) return;
    this.packed.delete(documentId);
    this.packedBytes -= storedBytes(packed);
  }

  /**
   * Takes an uploaded document out of the outbox in one step: renamed out of the layout first (a name no scan
   * lists), then deleted. A recursive delete in place is not atomic: another worker sharing this outbox could
   * find the folder half gone and reject it as broken.
   */
  private async remove(documentId: string): Promise<void> {
    const leaving = join(this.dir, `.uploaded-${documentId}-${process.pid}`);
    await rename(join(this.dir, documentId), leaving).catch(() => {});
    // Its three files by name, then the folder: a recursive delete walks the folder first (twice the system calls
    // per document). Anything else in there (or a rename that found nothing) is left to the recursive delete.
    const { html, text, json } = documentPaths(this.dir, documentId);
    await Promise.all([html, text, json].map((path) => unlink(join(leaving, basename(path))).catch(() => {})));
    await rmdir(leaving).catch(() => rm(leaving, { recursive: true, force: true }));
  }

  private async reject(documentId: string, reason: string): Promise<void> {
    const target = join(this.dir, REJECTED_DIR, documentId);
    await mkdir(join(this.dir, REJECTED_DIR), { recursive: true });
    await rm(target, { recursive: true, force: true });
    await rename(join(this.dir, documentId), target).catch(() => {});
    await writeFile(join(target, 'REJECTED.txt'), `${new Date().toISOString()} ${reason}\n`).catch(() => {});
    this.stats.rejected++;
    this.stopWaiting(documentId);
    this.options.log.error(
      { documentId, reason, kept: target },
      'the gate refused a document for good; kept in the outbox for a person to look at',
    );
  }
}
