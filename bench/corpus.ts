// npm run bench:corpus — storing decisions through the gate vs writing the same bytes directly, on both stores:
//   database store: N documents uploaded by W concurrent uploaders (the worker's own upload code) through a gate
//     process vs the same rows written by the bench with raw INSERT … ON CONFLICT DO NOTHING (W connections);
//   S3 store (s3rver in this process): the same through the gate (HTML by presigned PUT) vs raw PUTs of the
//     three objects (W in parallel);
//   compression ratio of the real fixture pages (gzip 6 as stored, gzip 9, brotli 5 and 9 for comparison) and
//   the bytes a decision takes in the database (table + TOAST + indexes per row);
//   the gate's peak RSS and its CPU time per document during each upload run (from /proc).
// Both sides of each store first get a warm-up that is not counted: CORPUS_WARMUP documents (default CORPUS_DOCS)
// through the same gate process, and as many raw writes on the same connections/client, so each ratio compares
// steady states (a deployed gate runs warm; a fresh gate spends about a third of a 2,000-document run compiling).
// Small by default (proves it runs): CORPUS_DOCS=400 CORPUS_WORKERS=8; the lead runs it bigger on a quiet box.
// BENCH_DB_LIMIT=0 skips ../shared/bench/db-limit.sh, BENCH_WRITE=0 leaves docs/benchmarks.md alone,
// BENCH_DB_PREFIX names the PostgreSQL databases (reyestr_bench_corpus_…).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import pg from 'pg';
import type { PackedDocument } from '../client/corpus/pack.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { startTestS3 } from '../test/support/s3.ts';
import {
  BATCH,
  corpus as packedCorpus,
  fixtures,
  type GateRun,
  throughGate as uploadThroughGate,
  ownCpuMs,
  timed as timedOn,
} from './corpus-run.ts';
import { dbLimit } from './db-limit.ts';
import { machine, writeSection } from './support.ts';

const DOCS = Number(process.env.CORPUS_DOCS ?? 400);
const WORKERS = Number(process.env.CORPUS_WORKERS ?? 8);
const WARMUP = Number(process.env.CORPUS_WARMUP ?? DOCS);
const corpus = (offset: number) => packedCorpus(DOCS, offset);
// Ids after the measured ones: the gate's warm-up, then the raw side's.
const warmups = async () => ({
  gate: await packedCorpus(WARMUP, 2 * DOCS),
  raw: await packedCorpus(WARMUP, 2 * DOCS + WARMUP),
});
const timed = (docs: PackedDocument[], send: (batch: PackedDocument[]) => Promise<void>) =>
  timedOn(docs, WORKERS, send);
const plainBytes = (docs: PackedDocument[]) =>
  docs.reduce((sum, d) => sum + d.parts.html.size + d.parts.text.size + d.parts.metadata.size, 0);
const perDoc = (ms: number) => `${ms.toFixed(2)} ms`;
const throughGate = async (env: Record<string, string>, docs: PackedDocument[], warmup: PackedDocument[]) => {
  const run: GateRun = await uploadThroughGate(env, docs, WORKERS, { warmup });
  return { ...run, cpu: perDoc(run.cpuMs), searchableCpu: perDoc(run.searchableCpuMs) };
};

/** Runs `send` on the warm-up (not counted), then times it on `docs`; seconds and this process's CPU per document. */
async function warmThenTimed(
  warmup: PackedDocument[],
  docs: PackedDocument[],
  send: (batch: PackedDocument[]) => Promise<void>,
): Promise<{ seconds: number; cpuMs: number }> {
  if (warmup.length > 0) await timed(warmup, send);
  const before = ownCpuMs();
  const seconds = await timed(docs, send);
  return { seconds, cpuMs: (ownCpuMs() - before) / docs.length };
}

/** The same pool (and so the same PostgreSQL backends) for the warm-up and the measured run. */
async function rawInserts(url: string, warmup: PackedDocument[], docs: PackedDocument[]) {
  const pool = new pg.Pool({ connectionString: url, max: WORKERS });
  try {
    return await warmThenTimed(warmup, docs, async (batch) => {
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
  let indexedDuringUpload = 0;
  // Database store: through the gate, then raw, on the same database (other ids).
  const db = await createPostgresDatabase(process.env.BENCH_DB_PREFIX ?? 'reyestr_bench_corpus');
  try {
    const url = (db.config as { url: string }).url;
    const viaGate = await corpus(0);
    const warm = await warmups();
    const gateRun = await throughGate({ DATABASE_URL: url }, viaGate, warm.gate);
    indexedDuringUpload = gateRun.indexedDuringUpload;
    const raw = await corpus(DOCS);
    const { seconds: rawSeconds, cpuMs: rawCpuMs } = await rawInserts(url, warm.raw, raw);
    const bytes = plainBytes(viaGate);
    rows.push(
      `| database | through the gate, ${WORKERS} uploaders, after ${WARMUP} warm-up | ${rate(DOCS, gateRun.seconds)} | ${mbps(bytes, gateRun.seconds)} | ${gateRun.cpu} | ${perDoc(gateRun.uploaderCpuMs)} | ${gateRun.peakMb} MB |`,
      `| database | … until all are indexed for search too | ${rate(DOCS, gateRun.searchableSeconds)} | ${mbps(bytes, gateRun.searchableSeconds)} | ${gateRun.searchableCpu} | | |`,
      `| database | raw INSERT … ON CONFLICT DO NOTHING, ${WORKERS} connections, after ${WARMUP} warm-up | ${rate(DOCS, rawSeconds)} | ${mbps(bytes, rawSeconds)} | — | ${perDoc(rawCpuMs)} | — |`,
      `| database | gate / raw | ${Math.round((100 * rawSeconds) / gateRun.seconds)}% (goal ≥ 50%) | | | | |`,
    );
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows: size } = await c.query(
      `SELECT pg_total_relation_size('document_contents')::bigint AS bytes, (SELECT count(*) FROM document_contents)::int AS n`,
    );
    await c.end();
    const onDisk = Math.round(Number(size[0].bytes) / size[0].n);
    const html = viaGate.reduce((s, d) => s + d.parts.html.size, 0) / DOCS;
    rows.push(
      `| database | on disk per decision (table + TOAST + index) | ${onDisk} bytes | ${(html / onDisk).toFixed(1)}× smaller than its HTML alone | | | |`,
    );
  } finally {
    await db.drop();
  }

  // S3 store: s3rver in this process, the gate as a process.
  const s3 = await startTestS3('reyestr-bench');
  const db2 = await createPostgresDatabase(process.env.BENCH_DB_PREFIX ?? 'reyestr_bench_corpus');
  try {
    const viaGate = await corpus(0);
    const warm = await warmups();
    const gateRun = await throughGate(
      { DATABASE_URL: (db2.config as { url: string }).url, ...s3.env() },
      viaGate,
      warm.gate,
    );
    const raw = await corpus(DOCS);
    const { seconds: rawSeconds, cpuMs: rawCpuMs } = await warmThenTimed(warm.raw, raw, async (batch) => {
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
      `| S3 (s3rver) | through the gate (HTML presigned), ${WORKERS} uploaders, after ${WARMUP} warm-up | ${rate(DOCS, gateRun.seconds)} | ${mbps(bytes, gateRun.seconds)} | ${gateRun.cpu} | ${perDoc(gateRun.uploaderCpuMs)} | ${gateRun.peakMb} MB |`,
      `| S3 (s3rver) | … until all are indexed for search too | ${rate(DOCS, gateRun.searchableSeconds)} | ${mbps(bytes, gateRun.searchableSeconds)} | ${gateRun.searchableCpu} | | |`,
      `| S3 (s3rver) | raw PUTs of the 3 objects, ${WORKERS} lanes, after ${WARMUP} warm-up | ${rate(DOCS, rawSeconds)} | ${mbps(bytes, rawSeconds)} | — | ${perDoc(rawCpuMs)} | — |`,
      `| S3 (s3rver) | gate / raw | ${Math.round((100 * rawSeconds) / gateRun.seconds)}% (goal ≥ 70%) | | | | |`,
    );
  } finally {
    await db2.drop();
    await s3.close();
  }

  const body = `Measured by \`npm run bench:corpus\` (CORPUS_DOCS=${DOCS}, CORPUS_WARMUP=${WARMUP}, CORPUS_WORKERS=${WORKERS}, batches of ${BATCH}) on
${new Date().toISOString().slice(0, 10)}, ${machine()}; PostgreSQL on 127.0.0.1:5432. ${dbLimit().line}.
Documents are the four real fixture decisions under new ids; MB/s counts their uncompressed HTML + text + metadata.
Warm-up, not counted: before each measured run, ${WARMUP} other documents went the same way — through the same gate
process (and indexed), or as raw writes on the same connections (S3: the same client) — so each ratio compares steady
states: a deployed gate runs warm, while a gate started for the run would spend about a third of a 2,000-document run
on its JIT warm-up (docs/benchmarks.md, "where an upload batch's time goes", session 8).
Gate CPU is user + system time of the gate process per document (/proc), until the last batch was answered, then until
the last document was indexed; bench CPU is this process's (the uploaders', or the raw writes'; for S3 it includes s3rver, which runs in
it too) per document; peak RSS
is over the warm-up and the measured run.
What each side writes (database store): the same gzip parts, as the same document_contents rows. The raw side's
documents row is the bare minimum (id, sha256, size, storage; no metadata or typed columns) and it clears no
failed_documents rows; it sends the parts as hex text arrays (twice the bytes). It indexes nothing for search: the
gate's indexer works off the answer path (it drains once uploads pause), and of the ${DOCS} measured documents it had
indexed ${indexedDuringUpload} when the last upload was answered — that work is in the gate's upload CPU above; the whole
indexing is in the "until all are indexed" row.

| store | how | documents/s | MB/s | gate CPU per document | bench CPU per document | gate peak RSS (goal ≤ 250 MB) |
|---|---|---|---|---|---|---|
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
