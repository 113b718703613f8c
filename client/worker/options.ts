/** What a worker is told to do (from `reyestr worker` flags / REYESTR_* variables), with the defaults. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TransportName } from '../registry/index.ts';
import { DEFAULT_PAGE_LIMITS, MIB } from '../registry/parsers/page-limits.ts';

export interface WorkerOptions {
  apiUrl: string;
  apiKey?: string;
  clientName: string;
  /** Where every fetched decision waits until the gate's document store has it (client/corpus/outbox.ts). */
  outboxDir: string;
  /** A local copy of every decision fetched (the worker layout); null: none. */
  outputDir: string | null;
  /** Before completing a task, wait this long at most for its documents to be uploaded (not during an outage). */
  uploadWaitMs: number;
  /** Claim attempts while idle (also the fallback while the subscription socket is down). */
  pollIntervalMs: number;
  /** Heartbeat while idle; while tasks run the lease keeper uses a third of the announced lease. */
  heartbeatIntervalMs: number;
  /** Documents in flight (and registry requests at once). */
  concurrency: number;
  /** Registry requests started per second (0 = no limit). */
  rate: number;
  registryUrl?: string;
  transport: TransportName | 'auto';
  userAgent?: string;
  /** Run one task, then exit. */
  once: boolean;
  /** Tasks fetching at once (each its own registry session; documents in flight are shared by all). A task whose
   * decisions are all fetched waits for their upload without a slot (at most as many again). */
  tasks: number;
  /** On SIGINT/SIGTERM: how long in-flight documents may finish before the rest is released. */
  shutdownGraceMs: number;
  /** After a challenge (error page, captcha): no registry requests and no claims for this long. */
  challengeCooldownMs: number;
  /** Registry pages larger than this are refused: the document fails with its reason (the heap stays bounded). */
  maxPageBytes?: number;
  /** At most one progress report per task this often. */
  progressIntervalMs: number;
  /** Registry politeness knobs for tests and benchmarks (retry waits). */
  politeness?: { defaultRetryAfterMs?: number; backoffMinMs?: number; backoffMaxMs?: number; retries?: number };
  host?: string;
  version?: string;
}

/**
 * Node flags README and deploy/reyestr-worker.service recommend for a long-running worker: a bounded heap (V8
 * otherwise lets a busy worker's heap grow far past what it keeps alive). Any page up to the page size limit fits.
 * A young generation of 8 MB a semi-space rather than 2: fewer scavenges, and fewer of the registry parse's objects
 * promoted into the old generation (fewer full collections) — about 8 % less worker CPU per document for ~10 MB more
 * peak RSS (docs/benchmarks.md, issue 16 session 10). An old generation let grow to twice what survived its last full
 * collection (`--heap-growing-percent=100`) before the next: a third fewer full collections (33 → 22 in 1,400
 * decisions, the live heap ~20 MB), −0.2–0.3 ms of V8's helper threads' CPU per decision for ~5 MB more peak RSS
 * (docs/benchmarks.md, "Session 14: worker CPU per document").
 */
export const RECOMMENDED_WORKER_NODE_FLAGS = [
  '--max-old-space-size=64',
  '--max-semi-space-size=8',
  '--heap-growing-percent=100',
];

/**
 * The outbox of a worker talking to this gate: under the user's state directory, one per gate (a host that
 * works for two gates keeps their documents apart), shared by the workers of this host (uploads are idempotent).
 */
export function defaultOutboxDir(apiUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  let gate = 'gate';
  try {
    gate = new URL(apiUrl).host.replace(/[^\w.-]+/g, '_');
  } catch {
    // an invalid URL is reported where it is used
  }
  return join(state, 'reyestr', 'outbox', gate);
}

export const WORKER_DEFAULTS = {
  uploadWaitSeconds: 60,
  pollIntervalSeconds: 5,
  heartbeatIntervalSeconds: 60,
  concurrency: 2,
  rate: 2,
  transport: 'http' as const,
  tasks: 1,
  shutdownGraceSeconds: 30,
  challengeCooldownSeconds: 600,
  maxPageSizeMb: DEFAULT_PAGE_LIMITS.maxBytes / MIB,
  progressIntervalMs: 250,
};
