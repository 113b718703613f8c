// npm run bench:corpus — storing decisions through the gate vs writing the same bytes directly, on both stores:
//   database store: N documents uploaded by W concurrent uploaders (the worker's own upload code) through a gate
//     process vs the same rows written by the bench with raw INSERT … ON CONFLICT DO NOTHING (W connections);
//   S3 store (s3rver in this process): the same through the gate (HTML by presigned PUT) vs raw PUTs of the
//     three objects (W in parallel);
//   compression ratio of the real fixture pages (gzip 6 as stored, gzip 9, brotli 5 and 9 for comparison) and
//   the bytes a decision takes in the database (table + TOAST + indexes per row);
//   the gate's peak RSS and its CPU time per document during each upload run (from /proc).
// Small by default (proves it runs): CORPUS_DOCS=400 CORPUS_WORKERS=8; the lead runs it bigger on a quiet box.
// BENCH_DB_LIMIT=0 skips ../shared/bench/db-limit.sh, BENCH_WRITE=0 leaves docs/benchmarks.md alone.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import PQueue from 'p-queue';
import pg from 'pg';
import { ContentClient } from '../client/corpus/content-client.ts';
import { packDocument, type PackedDocument } from '../client/corpus/pack.ts';
import { uploadBatch } from '../client/corpus/upload.ts';
import { parsePage } from '../client/registry/parsers/index.ts';
import { FIXTURE_DOCUMENT_IDS, readFixture } from '../test/fake-registry/fixtures.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { startTestS3 } from '../test/support/s3.ts';
import { dbLimit } from './db-limit.ts';
import { cpuMs, machine, startGateProcess, writeSection } from './support.ts';

const DOCS = Number(process.env.CORPUS_DOCS ?? 400);
const WORKERS = Number(process.env.CORPUS_WORKERS ?? 8);
const BATCH = 25;
const KEY = 'bench-corpus-admin-key-0123456789';

const fixtures = FIXTURE_DOCUMENT_IDS.map((id) => {
  const page = parsePage(readFixture(`review/${id}.html`));
  if (page.kind !== 'review') throw new Error(`${id} is not a decision page`);
  return { id, html: page.html, text: page.text, metadata: page.metadata };
});

/** N decisions from the fixture pages, each with its own id (and so its own row or objects). */
async function corpus(offset: number): Promise<PackedDocument[]> {
  const docs: PackedDocument[] = [];
  for (let i = 0; i < DOCS; i++) {
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

const plainBytes = (docs: PackedDocument[]) =>
  docs.reduce((sum, d) => sum + d.parts.html.size + d.parts.text.size + d.parts.metadata.size, 0);

/** Splits docs into batches and runs them on `workers` concurrent lanes; returns seconds. */
async function timed(docs: PackedDocument[], send: (batch: PackedDocument[]) => Promise<void>): Promise<number> {
  const queue = new PQueue({ concurrency: WORKERS });
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

/** Waits until the gate's search indexer has indexed every stored document (its queue is empty). */
async function indexed(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (;;) {
      const { rows } = await c.query(
        'SELECT count(*)::int AS n FROM documents WHERE stored_at IS NOT NULL AND indexed_at IS NULL',
      );
      if (rows[0].n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await c.end();
  }
}

/**
 * Uploads through a gate process: seconds until every batch was answered (stored), and until the search
 * indexer had indexed them all too (it works off the upload path, on the same gate).
 */
async function throughGate(env: Record<string, string>, docs: PackedDocument[]) {
  const gate = await startGateProcess({ ...env, ADMIN_API_KEY: KEY, RATE_LIMIT_MUTATIONS_PER_MINUTE: '0' });
  try {
    const client = new ContentClient(gate.url, KEY);
    const pid = gate.child.pid!;
    const started = performance.now();
    const cpuBefore = cpuMs(pid);
    let uploadCpuMs = 0;
    const { result: seconds, peakMb } = await peakRss(pid, async () => {
      const uploaded = await timed(docs, async (batch) => {
        const answers = await uploadBatch(client, batch);
        const notStored = [...answers.values()].filter((a) => a.status !== 'stored');
        if (notStored.length) throw new Error(`not stored: ${JSON.stringify(notStored[0])}`);
      });
      uploadCpuMs = cpuMs(pid) - cpuBefore;
      await indexed(env.DATABASE_URL);
      return uploaded;
    });
    // CPU per document says what the gate's own work costs whatever else the machine runs (rates do not).
    const perDoc = (ms: number) => `${(ms / docs.length).toFixed(2)} ms`;
    return {
      seconds,
      searchableSeconds: (performance.now() - started) / 1000,
      peakMb,
      cpu: perDoc(uploadCpuMs),
      searchableCpu: perDoc(cpuMs(pid) - cpuBefore),
    };
  } finally {
    await gate.stop();
  }
}

async function rawInserts(url: string, docs: PackedDocument[]): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: WORKERS });
  try {
    return await timed(docs, async (batch) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(
          `INSERT INTO document_contents (document_id, sha256, html, text, metadata, html_size, text_size, metadata_size, text_sha256, metadata_sha256)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[], $6::int[], $7::int[], $8::int[], $9::text[], $10::text[])
           ON CONFLICT DO NOTHING`,
          [
            batch.map((d) => d.documentId),
            batch.map((d) => d.parts.html.sha256),
            batch.map((d) => d.parts.html.gzip),
            batch.map((d) => d.parts.text.gzip),
            batch.map((d) => d.parts.metadata.gzip),
            batch.map((d) => d.parts.html.size),
            batch.map((d) => d.parts.text.size),
            batch.map((d) => d.parts.metadata.size),
            batch.map((d) => d.parts.text.sha256),
            batch.map((d) => d.parts.metadata.sha256),
          ],
        );
        await c.query(
          `INSERT INTO documents (document_id, sha256, size_bytes, stored_at, storage)
           SELECT id, sha, size, now(), 'DATABASE' FROM unnest($1::text[], $2::text[], $3::int[]) AS x(id, sha, size)
           ON CONFLICT DO NOTHING`,
          [batch.map((d) => d.documentId), batch.map((d) => d.parts.html.sha256), batch.map((d) => d.parts.html.size)],
        );
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    });
  } finally {
    await pool.end();
  }
}

function compressionRows(): string[] {
  return fixtures.map((f) => {
    const html = Buffer.from(f.html);
    const ratio = (n: number) => (html.length / n).toFixed(1);
    const brotli = (q: number) => brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: q } }).length;
    return `| ${f.id} | ${html.length} | ${ratio(gzipSync(html, { level: 6 }).length)}× | ${ratio(gzipSync(html, { level: 9 }).length)}× | ${ratio(brotli(5))}× | ${ratio(brotli(9))}× | ${ratio(gzipSync(Buffer.from(f.text)).length)}× (text) |`;
  });
}

const rate = (n: number, seconds: number) => Math.round(n / seconds);
const mbps = (bytes: number, seconds: number) => (bytes / 1024 / 1024 / seconds).toFixed(1);

async function main() {
  const rows: string[] = [];
  // Database store: through the gate, then raw, on the same database (other ids).
  const db = await createPostgresDatabase('reyestr_bench_corpus');
  try {
    const url = (db.config as { url: string }).url;
    const viaGate = await corpus(0);
    const gateRun = await throughGate({ DATABASE_URL: url }, viaGate);
    const raw = await corpus(DOCS);
    const rawSeconds = await rawInserts(url, raw);
    const bytes = plainBytes(viaGate);
    rows.push(
      `| database | through the gate, ${WORKERS} uploaders | ${rate(DOCS, gateRun.seconds)} | ${mbps(bytes, gateRun.seconds)} | ${gateRun.cpu} | ${gateRun.peakMb} MB |`,
      `| database | … until all are indexed for search too | ${rate(DOCS, gateRun.searchableSeconds)} | ${mbps(bytes, gateRun.searchableSeconds)} | ${gateRun.searchableCpu} | |`,
      `| database | raw INSERT … ON CONFLICT DO NOTHING, ${WORKERS} connections | ${rate(DOCS, rawSeconds)} | ${mbps(bytes, rawSeconds)} | — | — |`,
      `| database | gate / raw | ${Math.round((100 * rawSeconds) / gateRun.seconds)}% (goal ≥ 50%) | | | |`,
    );
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows: size } = await c.query(
      `SELECT pg_total_relation_size('document_contents')::bigint AS bytes, (SELECT count(*) FROM document_contents)::int AS n`,
    );
    await c.end();
    const perDoc = Math.round(Number(size[0].bytes) / size[0].n);
    const html = viaGate.reduce((s, d) => s + d.parts.html.size, 0) / DOCS;
    rows.push(
      `| database | on disk per decision (table + TOAST + index) | ${perDoc} bytes | ${(html / perDoc).toFixed(1)}× smaller than its HTML alone | | |`,
    );
  } finally {
    await db.drop();
  }

  // S3 store: s3rver in this process, the gate as a process.
  const s3 = await startTestS3('reyestr-bench');
  const db2 = await createPostgresDatabase('reyestr_bench_corpus');
  try {
    const viaGate = await corpus(0);
    const gateRun = await throughGate({ DATABASE_URL: (db2.config as { url: string }).url, ...s3.env() }, viaGate);
    const raw = await corpus(DOCS);
    const rawSeconds = await timed(raw, async (batch) => {
      await Promise.all(
        batch.flatMap((d) =>
          (['html', 'text', 'metadata'] as const).map((part) =>
            s3.client.send(
              new PutObjectCommand({
                Bucket: s3.bucket,
                Key: `raw/${d.documentId}/${part}.gz`,
                Body: d.parts[part].gzip,
              }),
            ),
          ),
        ),
      );
    });
    const bytes = plainBytes(viaGate);
    rows.push(
      `| S3 (s3rver) | through the gate (HTML presigned), ${WORKERS} uploaders | ${rate(DOCS, gateRun.seconds)} | ${mbps(bytes, gateRun.seconds)} | ${gateRun.cpu} | ${gateRun.peakMb} MB |`,
      `| S3 (s3rver) | … until all are indexed for search too | ${rate(DOCS, gateRun.searchableSeconds)} | ${mbps(bytes, gateRun.searchableSeconds)} | ${gateRun.searchableCpu} | |`,
      `| S3 (s3rver) | raw PUTs of the 3 objects, ${WORKERS} lanes | ${rate(DOCS, rawSeconds)} | ${mbps(bytes, rawSeconds)} | — | — |`,
      `| S3 (s3rver) | gate / raw | ${Math.round((100 * rawSeconds) / gateRun.seconds)}% (goal ≥ 70%) | | | |`,
    );
  } finally {
    await db2.drop();
    await s3.close();
  }

  const body = `Measured by \`npm run bench:corpus\` (CORPUS_DOCS=${DOCS}, CORPUS_WORKERS=${WORKERS}, batches of ${BATCH}) on
${new Date().toISOString().slice(0, 10)}, ${machine()}; PostgreSQL on 127.0.0.1:5432. ${dbLimit().line}.
Documents are the four real fixture decisions under new ids; MB/s counts their uncompressed HTML + text + metadata;
gate CPU is user + system time of the gate process per document (/proc), until the last batch was answered, then until
the last document was indexed.

| store | how | documents/s | MB/s | gate CPU per document | gate peak RSS (goal ≤ 250 MB) |
|---|---|---|---|---|---|
${rows.join('\n')}

Compression of the real fixture pages (HTML size, then how many times smaller; stored: gzip 6, as the worker sends it):

| decision | HTML bytes | gzip 6 | gzip 9 | brotli 5 | brotli 9 | text, gzip 6 |
|---|---|---|---|---|---|---|
${compressionRows().join('\n')}
`;
  console.log(body);
  if (process.env.BENCH_WRITE !== '0') writeSection('Document store (bench:corpus)', body);
}

await main();
process.exit(0);
