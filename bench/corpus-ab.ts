// npm run bench:corpus-ab -- <checkout A> <checkout B> … — the database store's uploads through the gates of
// several checkouts in ONE run, for a box other work shares: each round starts each checkout's gate in turn (as
// its own package.json's `npm start` runs it) on a fresh PostgreSQL database and uploads the same N decisions on
// W lanes (bench:corpus's run, corpus-run.ts), the order alternating each round. Prints, per gate and round, the
// rate, the gate's CPU per document (the comparable number under load) until the uploads were answered and until
// all were indexed, and its peak RSS; then the median CPU per document of each gate. Prints only.
// Env: CORPUS_DOCS (1000), CORPUS_WORKERS (8), BENCH_ROUNDS (3), BENCH_DB_PREFIX (the databases' name prefix),
// CORPUS_WARMUP (0): documents each gate uploads first, not counted, to compare warm gates (a fresh gate spends
// about a third of a 2,000-document run compiling, which hides changes to the steady state).
import { resolve } from 'node:path';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { corpus, type GateRun, throughGate } from './corpus-run.ts';
import { loadNow, machine, median } from './support.ts';

const DOCS = Number(process.env.CORPUS_DOCS ?? 1000);
const WORKERS = Number(process.env.CORPUS_WORKERS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.CORPUS_WARMUP ?? 0);
const checkouts = process.argv.slice(2).map((dir) => resolve(dir));
if (checkouts.length < 2) throw new Error('usage: npm run bench:corpus-ab -- <checkout A> <checkout B> …');

const docs = await corpus(DOCS, 0);
const warmup = await corpus(WARMUP, DOCS);
const runs = new Map<string, GateRun[]>(checkouts.map((c) => [c, []]));
console.log(
  `bench:corpus-ab — ${DOCS} documents after ${WARMUP} warm-up, ${WORKERS} uploaders, ${ROUNDS} rounds; ${machine()}`,
);
console.log(
  '| round | checkout | load | documents/s | CPU/doc upload | CPU/doc until indexed | uploader CPU/doc | indexed in upload window | peak RSS |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? checkouts : [...checkouts].reverse();
  for (const checkout of order) {
    const db = await createPostgresDatabase(process.env.BENCH_DB_PREFIX ?? 'reyestr_bench_corpus_ab');
    try {
      const before = loadNow();
      const run = await throughGate({ DATABASE_URL: (db.config as { url: string }).url }, docs, WORKERS, {
        checkout,
        warmup,
      });
      runs.get(checkout)!.push(run);
      console.log(
        `| ${round + 1} | ${checkout} | ${before}–${loadNow()} | ${Math.round(DOCS / run.seconds)} | ${run.cpuMs.toFixed(2)} ms | ${run.searchableCpuMs.toFixed(2)} ms | ${run.uploaderCpuMs.toFixed(3)} ms | ${run.indexedDuringUpload} | ${run.peakMb} MB |`,
      );
    } finally {
      await db.drop();
    }
  }
}
console.log('\nmedian gate CPU per document (upload / until indexed), documents/s:');
for (const [checkout, rs] of runs)
  console.log(
    `  ${checkout}: ${median(rs.map((r) => r.cpuMs)).toFixed(2)} / ${median(rs.map((r) => r.searchableCpuMs)).toFixed(2)} ms, ${Math.round(median(rs.map((r) => DOCS / r.seconds)))}/s`,
  );
process.exit(0);
