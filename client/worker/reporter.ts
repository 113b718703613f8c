/**
 * Tells the gate how a task is going: per-document counters (`reportProgress`, which also extends the
 * lease). The documents themselves reach the gate through the outbox (client/corpus/outbox.ts), with their
 * content. Reports are coalesced — one in flight per task, the newest counters next, at most one per
 * `minIntervalMs` — so a fast task cannot flood the gate; at the registry's polite rates every document
 * gets its own report. LEASE_LOST calls `onLeaseLost`; an unreachable gate just means the next report
 * carries the counters (heartbeats keep the lease meanwhile).
 */
import { isLeaseLost, type GateClient, type GateLease } from '../gate/client.ts';
import type { Logger } from './log.ts';
import { persist } from './retry.ts';

export interface ProgressCounts {
  documentsDownloaded: number;
  documentsSkipped: number;
  documentsFailed: number;
  totalExpected: number | null;
  /** the document that was handled last */
  documentId?: string;
}

export interface ReporterOptions {
  gate: GateClient;
  clientId: string;
  lease: GateLease;
  log: Logger;
  minIntervalMs: number;
  onLeaseLost(reason: string | undefined): void;
}

export class ProgressReporter {
  private counts: ProgressCounts = {
    documentsDownloaded: 0,
    documentsSkipped: 0,
    documentsFailed: 0,
    totalExpected: null,
  };
  private dirty = false;
  private sending: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastSentAt = 0;
  private lost = false;

  constructor(private readonly options: ReporterOptions) {}

  get current(): ProgressCounts {
    return { ...this.counts };
  }

  update(counts: ProgressCounts): void {
    this.counts = { ...counts };
    this.dirty = true;
    this.kick();
  }

  private kick(): void {
    if (this.sending || this.timer || this.lost) return;
    const wait = this.lastSentAt + this.options.minIntervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.kick();
      }, wait);
      return;
    }
    this.sending = this.send()
      .catch(() => {})
      .finally(() => {
        this.sending = null;
        if (this.dirty) this.kick();
      });
  }

  private async send(): Promise<void> {
    this.lastSentAt = Date.now();
    if (!this.dirty) return;
    this.dirty = false;
    const { lease, gate, log } = this.options;
    const counts = this.counts;
    try {
      await gate.reportProgress({
        taskId: lease.task.id,
        leaseToken: lease.leaseToken,
        documentsDownloaded: counts.documentsDownloaded,
        documentsSkipped: counts.documentsSkipped,
        documentsFailed: counts.documentsFailed,
        totalExpected: counts.totalExpected,
        documentId: counts.documentId,
      });
    } catch (error) {
      if (isLeaseLost(error)) {
        this.lost = true;
        this.options.onLeaseLost(error.reason);
        return;
      }
      this.dirty = true; // resend the newest counters next time
      log.debug({ err: (error as Error).message }, 'progress report failed');
      throw error;
    }
  }

  /**
   * Waits for the report in flight, then sends the newest counters if they were not sent,
   * retrying while the gate is unavailable until `deadline`.
   */
  async flush(deadline?: number): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.sending) await this.sending;
    if (this.lost) return;
    const { log, lease } = this.options;
    if (this.dirty)
      await persist(() => this.send(), { log, what: `progress of task ${lease.task.id}`, deadline }).catch((error) => {
        if (!isLeaseLost(error)) throw error;
      });
  }

  /** Stops reporting (the lease is gone or the task is over). */
  close(): void {
    this.lost = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
