// npm run bench:index-ab -- <checkout A> <checkout B> … — the search indexer of several checkouts in ONE run, over
// the same stored documents, for a box other work shares: each checkout's gate stores the same N decisions
// (bench:corpus's corpus) in a fresh PostgreSQL database of its own (its migrations); then each round runs each
// checkout's indexer in turn (bench/index-run.ts, a child process per checkout, node run as the checkout's
// `npm start` runs its gate) over all of them, the order alternating each round: the index cleared, the queue
// drained, measured passes after a warm-up pass, each ending with GIN's pending list flushed. Prints per pass the
// gate's CPU and the CPU of the PostgreSQL backends it used (and the flush's), per document — the comparable numbers
// under load — and the medians. Autovacuum is off on the documents table (it would flush GIN's pending list in a
// worker no pass counts). Prints only. Env: INDEX_DOCS (2000), BENCH_ROUNDS (3), INDEX_PASSES (2 measured per
// round), BENCH_DB_PREFIX.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createPostgresDatabase, type TestDatabase } from '../test/support/databases.ts';
import { corpus, throughGate } from './corpus-run.ts';
import { gateStart, loadNow, machine, median } from './support.ts';

const DOCS = Number(process.env.INDEX_DOCS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PASSES = Number(process.env.INDEX_PASSES ?? 2);
const checkouts = process.argv.slice(2).map((dir) => resolve(dir));
if (checkouts.length < 2) throw new Error('usage: npm run bench:index-ab -- <checkout A> <checkout B> …');

interface Pass {
  documents: number;
  seconds: number;
  gateCpuMs: number;
  postgresCpuMs: number;
}

// A database per checkout, migrated and filled by that checkout's gate (a checkout may change the schema).
const databases = new Map<string, TestDatabase>();
const urlOf = (checkout: string) => (databases.get(checkout)!.config as { url: string }).url;
try {
  const docs = await corpus(DOCS, 0);
  for (const checkout of checkouts) {
    databases.set(checkout, await createPostgresDatabase(process.env.BENCH_DB_PREFIX ?? 'reyestr_bench_index_ab'));
    await throughGate({ DATABASE_URL: urlOf(checkout) }, docs, 8, { checkout });
    const c = new pg.Client({ connectionString: urlOf(checkout) });
    await c.connect();
    await c.query('ALTER TABLE documents SET (autovacuum_enabled = off)');
    await c.end();
  }
  console.log(`bench:index-ab — ${DOCS} stored documents, ${ROUNDS} rounds of ${PASSES} passes; ${machine()}`);
  console.log('| round | checkout | load | documents/s | gate CPU/doc | PostgreSQL CPU/doc | sum |');
  console.log('|---|---|---|---|---|---|---|');
  const passes = new Map<string, Pass[]>(checkouts.map((c) => [c, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const checkout of round % 2 === 0 ? checkouts : [...checkouts].reverse()) {
      const before = loadNow();
      // Node's options and variables as the checkout's `npm start` runs its gate (the young generation's size matters).
      const start = gateStart(join(checkout, 'package.json'));
      const out = execFileSync(
        process.execPath,
        [
          ...start.nodeArgs,
          '--import',
          'tsx',
          'bench/index-run.ts',
          checkout,
          urlOf(checkout),
          String(PASSES + 1),
          '1',
        ],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, ...start.env, LOG_LEVEL: 'warn' },
        },
      );
      for (const pass of JSON.parse(out.trim().split('\n').at(-1)!) as Pass[]) {
        if (pass.documents !== DOCS) throw new Error(`${checkout} indexed ${pass.documents} of ${DOCS}`);
        passes.get(checkout)!.push(pass);
        const gate = pass.gateCpuMs / DOCS;
        const postgres = pass.postgresCpuMs / DOCS;
        console.log(
          `| ${round + 1} | ${checkout} | ${before}–${loadNow()} | ${Math.round(DOCS / pass.seconds)} | ${gate.toFixed(3)} ms | ${postgres.toFixed(3)} ms | ${(gate + postgres).toFixed(3)} ms |`,
        );
      }
    }
  }
  console.log('\nmedian per document: gate CPU / PostgreSQL CPU / sum, documents/s:');
  for (const [checkout, ps] of passes)
    console.log(
      `  ${checkout}: ${median(ps.map((p) => p.gateCpuMs / DOCS)).toFixed(3)} / ${median(ps.map((p) => p.postgresCpuMs / DOCS)).toFixed(3)} / ${median(ps.map((p) => (p.gateCpuMs + p.postgresCpuMs) / DOCS)).toFixed(3)} ms, ${Math.round(median(ps.map((p) => DOCS / p.seconds)))}/s`,
    );
} finally {
  for (const db of databases.values()) await db.drop();
}
process.exit(0);
