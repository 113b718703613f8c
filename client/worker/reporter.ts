/**
 * Tells the gate how a task is going: per-document counters (`reportProgress`, which also extends the
 * lease). The documents themselves reach the gate through the outbox (client/corpus/outbox.ts), with their
 * content. Reports are coalesced — one in flight per task, the newest counters next, at most one per
 * `minIntervalMs` — so a fast task cannot flood the gate; at the registry's polite rates every document
 * gets its own report. LEASE_LOST calls `onLeaseLost`; an unreachable gate just means the next report
 * carries the counters (heartbeats keep the lease meanwhile).
 *
 * Reports also carry what happened since the last one: each decision that failed (id, error class, message,
 * court and date from its results row) and the task's newest log lines, so an operator sees both at the gate
 * (Failed documents, the task's worker log) without a shell on this host. Both queues are bounded; what a
 * failed send carried goes back to the front of its queue.
 */
import { isLeaseLost, type GateClient, type GateLease } from '../gate/client.ts';
import type { FailedDocumentReportInput } from '../gate/generated/graphql.ts';
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

/** Failed decisions one report carries (the gate takes up to 200). */
const FAILURES_PER_REPORT = 100;
const MAX_QUEUED_FAILURES = 1000;
/** Log lines kept for the next report (the gate keeps the last 100 of a lease). */
const MAX_QUEUED_LINES = 50;

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
  private failures: FailedDocumentReportInput[] = [];
  private lines: string[] = [];

  constructor(private readonly options: ReporterOptions) {}

  get current(): ProgressCounts {
    return { ...this.counts };
  }

  update(counts: ProgressCounts): void {
    this.counts = { ...counts };
    this.dirty = true;
    this.kick();
  }

  /** A decision that could not be downloaded: reported with the next progress report. */
  documentFailed(failure: FailedDocumentReportInput): void {
    if (this.failures.length >= MAX_QUEUED_FAILURES) return; // the count still says it; the list is a sample then
    this.failures.push(failure);
    this.dirty = true;
    this.kick();
  }

  /** A log line about this task: the newest MAX_QUEUED_LINES go with the next report. */
  logLine(line: string): void {
    this.lines.push(line.slice(0, 500));
    if (this.lines.length > MAX_QUEUED_LINES) this.lines.shift();
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
    const failures = this.failures.splice(0, FAILURES_PER_REPORT);
    const lines = this.lines.splice(0);
    try {
      await gate.reportProgress({
        taskId: lease.task.id,
        leaseToken: lease.leaseToken,
        documentsDownloaded: counts.documentsDownloaded,
        documentsSkipped: counts.documentsSkipped,
        documentsFailed: counts.documentsFailed,
        totalExpected: counts.totalExpected,
        documentId: counts.documentId,
        ...(failures.length ? { failedDocuments: failures } : {}),
        ...(lines.length ? { logLines: lines } : {}),
      });
      if (this.failures.length) this.dirty = true; // more than one report's worth: the rest next time
    } catch (error) {
      if (isLeaseLost(error)) {
        this.lost = true;
        this.options.onLeaseLost(error.reason);
        return;
      }
      this.dirty = true; // resend the newest counters next time, with what this report carried
      this.failures.unshift(...failures);
      this.lines = [...lines, ...this.lines].slice(-MAX_QUEUED_LINES);
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
