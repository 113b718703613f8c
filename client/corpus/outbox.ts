/**
 * The worker's outbox: every decision it fetches goes up to the gate's document store from here, in batches, by
 * one background loop. While the store answers, a decision waits in memory (packed: ./outbox-memory.ts) and never touches the disk (the
 * folder's ~10 file-system calls per document saved); it is written into the folder (./outbox-folder.ts) when the
 * store or gate is away, when memory is full, when its task completes before it is stored and when the worker stops,
 * so a gate or store that is away costs nothing but time: documents wait on disk and go up when it is back (at the
 * latest when a worker starts on this outbox again). A document leaves the outbox only when the gate answered that it
 * is stored (or had it already); one refused for good is moved to `.rejected/<id>/` with the reason beside it, never
 * silently dropped. Several workers may share an outbox: uploads are idempotent by id and sha256.
 */
import { isKeyRefused, isRetryableGateError } from '../gate/client.ts';
import type { Logger } from '../worker/log.ts';
import { sleep } from '../worker/retry.ts';
import { Waker } from '../worker/waker.ts';
import type { ContentClient } from './content-client.ts';
import { packFromWorkerLayout, type PackedDocument, UnreadableDocument } from './pack.ts';
import { uploadBatch } from './upload.ts';
import { documentIdsIn, moveToRejected, removeDocument } from './outbox-folder.ts';
import { OutboxMemory, storedBytes } from './outbox-memory.ts';

export { documentIdsIn, REJECTED_DIR } from './outbox-folder.ts';

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
  /** how long a part batch of held documents waits for more before it goes (default 250 ms) */
  lingerMs?: number;
}

export interface OutboxStats {
  stored: number;
  present: number;
  rejected: number;
  retried: number;
}

export class Outbox {
  readonly stats: OutboxStats = { stored: 0, present: 0, rejected: 0, retried: 0 };
  /** the gate or the store is not answering: uploads wait (and nobody should wait for them) */
  outage = false;
  private readonly waiting = new Set<string>();
  /** documents packed by the worker that fetched them (their bytes were in hand), some held there only */
  private readonly memory: OutboxMemory;
  private readonly waker = new Waker();
  private stopped = false;
  /** stopping: what is held goes up at once, without waiting for a full batch */
  private draining = false;
  /** callers of settled() waiting now: what is held goes up at once */
  private awaited = 0;
  private loop: Promise<void> | null = null;
  private readonly settledListeners = new Set<() => void>();
  private readonly retryLater = new Set<string>();
  /** failed tries in a row: the back-off while the gate or store is away grows with it */
  private failures = 0;

  constructor(private readonly options: OutboxOptions) {
    this.memory = new OutboxMemory(options.dir);
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Documents known to wait for upload. */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * A document was written into the outbox: upload it soon. `packed`: the same document packed from the bytes just
   * written, kept (within the memory's budget) so the upload need not read and verify the files again.
   */
  added(documentId: string, packed?: PackedDocument): void {
    this.waiting.add(documentId);
    if (packed) this.memory.keep(documentId, packed);
    // During an outage a new document waits for the back-off (or for `gateAnswers`) like the rest: waking on
    // each one would hammer a gate that is away and grow the back-off far past the outage.
    if (!this.outage) this.wake();
  }

  /**
   * A document just fetched, held in memory for upload (not written anywhere): true when it is, false when it must
   * be written into the outbox as before (`added`) — the store is not answering, the worker is stopping, or the
   * memory for packed documents is full.
   */
  hold(documentId: string, packed: PackedDocument): boolean {
    if (this.outage || this.stopped || this.waiting.has(documentId) || !this.memory.hold(documentId, packed))
      return false;
    this.waiting.add(documentId);
    this.wake();
    return true;
  }

  /** The document waits for upload here (in memory or on disk): no need to fetch it again. */
  holds(documentId: string): boolean {
    return this.waiting.has(documentId);
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

  /**
   * Stops the loop; with a deadline, uploads what it can until then first. What is still held in memory is
   * written into the outbox: the next worker on it uploads it.
   */
  async stop(deadline?: number): Promise<void> {
    this.draining = true;
    if (deadline !== undefined && this.loop) await this.drained(deadline);
    this.stopped = true;
    this.wake();
    await this.loop;
    await this.memory.spill();
  }

  /**
   * Resolves when none of `ids` waits for upload any more, when the gate or store is away (then waiting
   * would only hold the caller up: the documents go up later), or at `deadline` — in the last two cases only once
   * those still held in memory are on disk, so a task completed meanwhile leaves none of them only in memory.
   */
  async settled(ids: Iterable<string>, deadline = Number.POSITIVE_INFINITY): Promise<void> {
    const list = [...ids];
    this.awaited++;
    this.wake(); // a part batch waiting for more goes now
    try {
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
    } finally {
      this.awaited--;
    }
    await this.memory.spill(list);
  }

  private async drained(deadline: number): Promise<void> {
    while (!this.stopped && Date.now() < deadline) {
      const left = [...(await documentIdsIn(this.dir)), ...this.memory.held()].filter((id) => !this.retryLater.has(id));
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
      const onDisk = new Set(await documentIdsIn(this.dir));
      await this.gather();
      const ids = [...onDisk, ...this.memory.held().filter((id) => !onDisk.has(id))];
      // What the gate asked to send again goes after the rest, on the next pass.
      const batchable = ids.filter((id) => !this.retryLater.has(id));
      this.retryLater.clear();
      // Gone from disk (another worker on this outbox uploaded it); one written out since the listing is on disk
      // all the same, and the next pass finds it again.
      for (const id of this.waiting) if (!onDisk.has(id) && !this.memory.isHeld(id)) this.stopWaiting(id);
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
        // What is held in memory goes to disk first: a worker that cannot reach the store keeps its documents there.
        const already = this.outage;
        this.outage = true;
        await this.memory
          .spill()
          .catch((spillError: Error) =>
            log.error({ err: spillError.message }, 'cannot write documents into the outbox; they wait in memory'),
          );
        if (isKeyRefused(error)) {
          if (!already)
            log.error(
              { err: error.message, pending: this.waiting.size },
              'the gate refuses this key; documents stay in the outbox for a worker with a valid key',
            );
        } else if (!isRetryableGateError(error))
          log.error({ err: (error as Error).message }, 'uploading from the outbox failed; trying again');
        else if (already) log.debug({ err: (error as Error).message }, 'uploading still fails');
        else
          log.warn(
            { err: (error as Error).message, pending: this.waiting.size },
            'cannot upload documents now; they wait in the outbox',
          );
        this.notifySettled();
        const wait = Math.min(this.options.maxBackoffMs ?? 30_000, 500 * 2 ** this.failures++);
        await this.nap(Math.round(wait * (0.75 + Math.random() * 0.5)));
      }
      this.notifySettled();
    }
  }

  /**
   * A part batch of documents just fetched waits a moment for more (up to a full batch), unless someone waits for
   * documents to settle (a task's completion) or the outbox stops: sent as they came, at a fast registry's pace they
   * went up a few at a time — ~7 per request instead of 25 — and each request costs the gate (and the worker) its
   * share again.
   */
  private async gather(): Promise<void> {
    const full = this.options.batchSize ?? 25;
    const until = Date.now() + (this.options.lingerMs ?? 250);
    while (
      !this.stopped &&
      !this.draining &&
      this.awaited === 0 &&
      this.memory.heldCount > 0 &&
      this.memory.heldCount < full
    ) {
      const left = until - Date.now();
      if (left <= 0) return;
      await this.nap(left);
    }
  }

  private async uploadAll(ids: string[]): Promise<void> {
    const size = this.options.batchSize ?? 25;
    const maxBytes = this.options.batchBytes ?? 8 * 1024 * 1024;
    let batch: PackedDocument[] = [];
    let bytes = 0;
    for (const id of ids) {
      if (this.stopped) return;
      let packed = this.memory.get(id);
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
        // Held in memory only: nothing to delete on disk.
        if (!(await this.memory.stored(document.documentId))) await removeDocument(this.dir, document.documentId);
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
    this.memory.forget(documentId);
  }

  private async reject(documentId: string, reason: string): Promise<void> {
    await this.memory.spill([documentId]);
    const target = await moveToRejected(this.dir, documentId, reason);
    this.stats.rejected++;
    this.stopWaiting(documentId);
    this.options.log.error(
      { documentId, reason, kept: target },
      'the gate refused a document for good; kept in the outbox for a person to look at',
    );
  }
}
