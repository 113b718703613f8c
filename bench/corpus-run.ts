// What bench:corpus and bench:corpus-ab share: the corpus (the four real fixture decisions under new ids, packed
// as a worker packs them), batches sent on W concurrent lanes, and an upload run through a gate process with its
// rate, CPU per document (/proc) and peak RSS, until the uploads were answered and until all were indexed.
import { readFileSync } from 'node:fs';
import PQueue from 'p-queue';
import pg from 'pg';
import { ContentClient } from '../client/corpus/content-client.ts';
import { packDocument, type PackedDocument } from '../client/corpus/pack.ts';
import { uploadBatch } from '../client/corpus/upload.ts';
import { parsePage } from '../client/registry/parsers/index.ts';
import { FIXTURE_DOCUMENT_IDS, readFixture } from '../test/fake-registry/fixtures.ts';
import { cpuMs, startGateProcess } from './support.ts';

export const BATCH = 25;
const KEY = 'bench-corpus-admin-key-0123456789';

export const fixtures = FIXTURE_DOCUMENT_IDS.map((id) => {
  const page = parsePage(readFixture(`review/${id}.html`));
  if (page.kind !== 'review') throw new Error(`${id} is not a decision page`);
  return { id, html: page.html, text: page.text, metadata: page.metadata };
});

/** `count` decisions from the fixture pages, each with its own id (and so its own row or objects). */
export async function corpus(count: number, offset: number): Promise<PackedDocument[]> {
  const docs: PackedDocument[] = [];
  for (let i = 0; i < count; i++) {
    const f = fixtures[i % fixtures.length];
    const documentId = String(800_000_000 + offset + i);
    const html = Buffer.from(`${f.html}<!-- ${documentId} -->`);
    const json = { documentId, sourceUrl: `https://reyestr.court.gov.ua/Review/${documentId}`, decision: f.metadata };
    docs.push(
      await packDocument(documentId, { html, text: Buffer.from(f.text), metadata: Buffer.from(JSON.stringify(json)) }),
    );
  }
  return docs;
}

/** Splits docs into batches and runs them on `workers` concurrent lanes; returns seconds. */
export async function timed(
  docs: PackedDocument[],
  workers: number,
  send: (batch: PackedDocument[]) => Promise<void>,
): Promise<number> {
  const queue = new PQueue({ concurrency: workers });
  const started = performance.now();
  for (let i = 0; i < docs.length; i += BATCH) void queue.add(() => send(docs.slice(i, i + BATCH)));
  await queue.onIdle();
  return (performance.now() - started) / 1000;
}

/** Peak resident memory of a process while `work` runs (VmRSS sampled every 50 ms). */
async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = 0;
  const sample = () => {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    peak = Math.max(peak, kb);
  };
  const timer = setInterval(sample, 50);
  try {
    const result = await work();
    sample();
    return { result, peakMb: Math.round(peak / 1024) };
  } finally {
    clearInterval(timer);
  }
}

const UNINDEXED = 'SELECT count(*)::int AS n FROM documents WHERE stored_at IS NOT NULL AND indexed_at IS NULL';

/** How many stored documents the gate's search indexer has not indexed yet (its queue); `wait`: until none. */
async function unindexed(url: string, { wait }: { wait: boolean }): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (;;) {
      const n: number = (await c.query(UNINDEXED)).rows[0].n;
      if (n === 0 || !wait) return n;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await c.end();
  }
}
const indexed = (url: string) => unindexed(url, { wait: true });

export interface GateRun {
  /** until every batch was answered (stored) */
  seconds: number;
  /** until the search indexer had indexed them all too (it works off the upload path, on the same gate) */
  searchableSeconds: number;
  /** over the warm-up and the measured run */
  peakMb: number;
  /** the gate's CPU (user + system, all threads) per document, until answered / until indexed */
  cpuMs: number;
  searchableCpuMs: number;
  /** the uploading process's own CPU (user + system) per document, until answered */
  uploaderCpuMs: number;
  /**
   * of the measured documents, how many the gate's search indexer had indexed when the last upload was answered:
   * its work for them (read-back, stemming) ran on the gate inside the upload window, in `cpuMs`
   */
  indexedDuringUpload: number;
}

/** This process's CPU time (user + system, all threads) in ms. */
export const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Uploads through a gate process (this checkout's, or `checkout`'s) on `workers` lanes. `warmup`: documents
 * uploaded (and indexed) first and not counted, so the measured run sees a gate whose hot code is compiled, as
 * a deployed gate's is, instead of one paying its JIT warm-up inside the measurement.
 */
export async function throughGate(
  env: Record<string, string>,
  docs: PackedDocument[],
  workers: number,
  { checkout, warmup = [] }: { checkout?: string; warmup?: PackedDocument[] } = {},
): Promise<GateRun> {
  const gate = await startGateProcess(
    { ...env, ADMIN_API_KEY: KEY, RATE_LIMIT_MUTATIONS_PER_MINUTE: '0' },
    180_000,
    checkout,
  );
  try {
    const client = new ContentClient(gate.url, KEY);
    const pid = gate.child.pid!;
    const upload = (documents: PackedDocument[]) =>
      timed(documents, workers, async (batch) => {
        const answers = await uploadBatch(client, batch);
        const notStored = [...answers.values()].filter((a) => a.status !== 'stored');
        if (notStored.length) throw new Error(`not stored: ${JSON.stringify(notStored[0])}`);
      });
    const { result, peakMb } = await peakRss(pid, async () => {
      if (warmup.length > 0) {
        await upload(warmup);
        await indexed(env.DATABASE_URL);
      }
      const started = performance.now();
      const cpuBefore = cpuMs(pid);
      const ownBefore = ownCpuMs();
      const seconds = await upload(docs);
      const uploadCpuMs = cpuMs(pid) - cpuBefore;
      const uploaderCpuMs = ownCpuMs() - ownBefore;
      // The warm-up was all indexed before the run: what is queued now is the measured documents not yet indexed.
      const indexedDuringUpload = docs.length - (await unindexed(env.DATABASE_URL, { wait: false }));
      await indexed(env.DATABASE_URL);
      return { seconds, started, cpuBefore, uploadCpuMs, uploaderCpuMs, indexedDuringUpload };
    });
    // CPU per document says what the gate's own work costs whatever else the machine runs (rates do not).
    return {
      seconds: result.seconds,
      searchableSeconds: (performance.now() - result.started) / 1000,
      peakMb,
      cpuMs: result.uploadCpuMs / docs.length,
      searchableCpuMs: (cpuMs(pid) - result.cpuBefore) / docs.length,
      uploaderCpuMs: result.uploaderCpuMs / docs.length,
      indexedDuringUpload: result.indexedDuringUpload,
    };
  } finally {
    await gate.stop();
  }
}
