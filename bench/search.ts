// npm run bench:search — search, statistics and export over a synthetic corpus built from the real fixture
// decisions (bench/search/corpus.ts): ≥200,000 decisions on PostgreSQL and 20,000 on PGlite (the embedded
// default). p50/p95 of the four queries of issue 13 through the gate's own service functions (what GraphQL
// runs: the page, its count, its snippets), the EXPLAIN of each, and the export rate and peak RSS of the
// real CLI (`reyestr documents export`) against a gate process.
//   BENCH_DOCUMENTS (200000)  BENCH_PGLITE_DOCUMENTS (20000)  BENCH_SAMPLES (40)  BENCH_TEXT_EXPORT (20000)
//   BENCH_SKIP_PGLITE=1  BENCH_DB_LIMIT=0 (skip ../shared/bench/db-limit.sh)  BENCH_WRITE=0 (do not touch docs/)
import { execFileSync, spawn } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SYSTEM_ACTOR } from '../server/services/actor.ts';
import { closeDatabase, openDatabase, prisma } from '../server/db/database.ts';
import { applyMigrations } from '../server/db/migrate.ts';
import { Prisma } from '../server/generated/prisma/client.ts';
import { documentStatsSql } from '../server/db/sql/document-stats.ts';
import { searchDocumentIdsSql } from '../server/db/sql/search-documents.ts';
import { parseDocumentFilter } from '../server/services/document-filter.ts';
import { documentStats, parseQuery, searchDocuments } from '../server/services/document-search.ts';
import { exportDocuments } from '../server/services/document-export.ts';
import type { DatabaseConfig } from '../server/config.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { type CorpusSource, corpusSource, judgeOf, prng, syntheticDecisions } from './search/corpus.ts';
import { dbLimit } from './db-limit.ts';
import { machine, percentile, startGateProcess, writeSection } from './support.ts';

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 200_000);
const PGLITE_DOCUMENTS = Number(process.env.BENCH_PGLITE_DOCUMENTS ?? 20_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const TEXT_EXPORT = Number(process.env.BENCH_TEXT_EXPORT ?? 20_000);
const KEY = 'bench-admin-key-0123456789abcdef';
const BATCH = 1000;
const EMPTY_GZIP = gzipSync(Buffer.alloc(0));

async function load(source: CorpusSource, total: number) {
  const started = performance.now();
  for (let from = 0; from < total; from += BATCH) {
    const rows = [...syntheticDecisions(source, from, Math.min(BATCH, total - from))];
    const json = JSON.stringify(rows.map(({ text: _t, ...row }) => row));
    await prisma.$executeRaw`
      INSERT INTO documents (id, document_id, metadata, case_number, court_name, court_code, court_region, instance,
        judge, decision_form, proceeding_form, case_category, adopted_on, source_url, metadata_typed_at,
        search_vector, indexed_at, sha256, stored_at, storage)
      SELECT id, "documentId", '{}', "caseNumber", "courtName", "courtCode", "courtRegion", instance, judge,
        "decisionForm", "proceedingForm", "caseCategory", "adoptedOn", "sourceUrl", now(),
        to_tsvector('simple', stemmed), now(), md5("documentId") || md5("documentId"), now(), 'DATABASE'
      FROM jsonb_to_recordset(${json}::jsonb) AS x(id uuid, "documentId" text, "caseNumber" text, "courtName" text,
        "courtCode" text, "courtRegion" text, instance text, judge text, "decisionForm" text, "proceedingForm" text,
        "caseCategory" text, "adoptedOn" date, "sourceUrl" text, stemmed text)`;
    // The text lives in the document store (here the database's): gzip, as a worker uploads it.
    const texts = JSON.stringify(
      rows.map((r) => ({ documentId: r.documentId, text: gzipSync(r.text).toString('base64'), size: r.text.length })),
    );
    await prisma.$executeRaw`
      INSERT INTO document_contents (document_id, sha256, html, text, metadata, html_size, text_size, metadata_size,
        text_sha256, metadata_sha256)
      SELECT "documentId", md5("documentId") || md5("documentId"), ${EMPTY_GZIP}::bytea, decode(text, 'base64'),
        ${EMPTY_GZIP}::bytea, 0, size, 0, '', ''
      FROM jsonb_to_recordset(${texts}::jsonb) AS x("documentId" text, text text, size int)`;
    if ((from / BATCH) % 20 === 0) process.stderr.write(`  loaded ${from + rows.length}/${total}\r`);
  }
  await prisma.$executeRawUnsafe('VACUUM ANALYZE documents');
  await prisma.$executeRawUnsafe('VACUUM ANALYZE document_contents');
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`  loaded ${total} decisions in ${seconds.toFixed(0)} s\n`);
  return seconds;
}

interface Case {
  name: string;
  run(random: () => number): Promise<unknown>;
  /** the statement behind it, for EXPLAIN */
  explain(random: () => number): Prisma.Sql;
}

function cases(source: CorpusSource, total: number): Case[] {
  const regions = ['11', '14', '21', '27', '5'];
  const phrase = (random: () => number) => source.phrases[Math.floor(random() * source.phrases.length)];
  const year = (random: () => number) => 2006 + Math.floor(random() * 20);
  const fullText = (random: () => number) => {
    const y = year(random);
    return {
      filter: {
        courtRegions: [regions[Math.floor(random() * regions.length)]],
        adoptedOn: { from: `${y}-01-01`, to: `${y + 1}-12-31` },
      },
      query: phrase(random),
    };
  };
  const judgeYear = (random: () => number) => {
    const region = regions[Math.floor(random() * regions.length)];
    const y = year(random);
    return {
      filter: {
        judges: [judgeOf(region, Math.floor(random() * 6), Math.floor(random() * 20))],
        adoptedOn: { from: `${y}-01-01`, to: `${y}-12-31` },
      },
    };
  };
  const caseNumber = (random: () => number) => {
    const [decision] = syntheticDecisions(source, Math.floor(random() * total), 1);
    return { filter: { caseNumber: decision.caseNumber } };
  };
  const sqlOf = (input: { filter: object; query?: string }, order: 'RELEVANCE' | 'ADOPTED_ON_DESC') => {
    const filter = parseDocumentFilter(input.filter);
    if (input.query) filter.tsquery = parseQuery(input.query)!.tsquery;
    return searchDocumentIdsSql(filter, order, 26, 0);
  };
  return [
    {
      name: 'two-word full text + region + 2-year range (relevance, first 25 with snippets and count)',
      run: (r) => searchDocuments(SYSTEM_ACTOR, { ...fullText(r), first: 25 }),
      explain: (r) => sqlOf(fullText(r), 'RELEVANCE'),
    },
    {
      name: 'judge + year (newest first, first 25 and count)',
      run: (r) => searchDocuments(SYSTEM_ACTOR, { ...judgeYear(r), first: 25 }),
      explain: (r) => sqlOf(judgeYear(r), 'ADOPTED_ON_DESC'),
    },
    {
      name: 'case-number lookup',
      run: (r) => searchDocuments(SYSTEM_ACTOR, { ...caseNumber(r), first: 25 }),
      explain: (r) => sqlOf(caseNumber(r), 'ADOPTED_ON_DESC'),
    },
    {
      name: 'documentStats by MONTH, whole corpus',
      run: () => documentStats(SYSTEM_ACTOR, { groupBy: ['MONTH'] }),
      explain: () => documentStatsSql(['MONTH'], {}, 5001),
    },
  ];
}

async function measure(source: CorpusSource, total: number, label: string) {
  const rows: string[] = [];
  const plans: string[] = [];
  for (const [index, c] of cases(source, total).entries()) {
    const warm = prng(999 + index);
    for (let i = 0; i < 3; i++) await c.run(warm);
    const random = prng(7 + index);
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      await c.run(random);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    rows.push(`| ${label} | ${c.name} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} |`);
    console.log(rows.at(-1));
    const explained = await prisma.$queryRaw<Array<{ 'QUERY PLAN': string }>>(
      Prisma.sql`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${c.explain(prng(11 + index))}`,
    );
    plans.push(`${label} — ${c.name}:\n\n\`\`\`\n${explained.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\``);
  }
  return { rows, plans };
}

/** Export rate through the service (no HTTP), metadata only and with text. */
async function serviceExport(label: string, text: boolean, limit: number) {
  const started = performance.now();
  const exported = await exportDocuments(SYSTEM_ACTOR, { text });
  let n = 0;
  for await (const batch of exported.batches) {
    n += batch.length;
    if (n >= limit) break;
  }
  await exported.batches.return(undefined);
  const seconds = (performance.now() - started) / 1000;
  return `| ${label} | service, ${text ? 'with text' : 'metadata only'} | ${n} | ${(n / seconds).toFixed(0)} | – |`;
}

/** The real CLI against a gate process: documents/s and the CLI's peak RSS (GNU time). */
async function cliExport(url: string, label: string, args: string[], documents: number) {
  const file = join(tmpdir(), `bench-search-export-${process.pid}`);
  const started = performance.now();
  const rss = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      '/usr/bin/time',
      ['-f', '%M', process.execPath, 'bin/reyestr.mjs', 'documents', 'export', ...args, '-o', file, '--no-progress'],
      {
        env: { ...process.env, REYESTR_API_URL: url, REYESTR_API_KEY: KEY },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve(Number(err.trim().split('\n').at(-1)) / 1024) : reject(new Error(err)),
    );
  });
  const seconds = (performance.now() - started) / 1000;
  const size = statSync(file).size;
  rmSync(file, { force: true });
  return `| ${label} | CLI ${args.join(' ')} | ${documents} | ${(documents / seconds).toFixed(0)} | ${rss.toFixed(0)} MB (file ${(size / 1e6).toFixed(0)} MB) |`;
}

async function runOn(config: DatabaseConfig, total: number, label: string, withCli: boolean) {
  const source = corpusSource();
  const database = await openDatabase(config);
  try {
    await applyMigrations(database);
    const loadSeconds = await load(source, total);
    const measured = await measure(source, total, label);
    const exports = [
      await serviceExport(label, false, total),
      await serviceExport(label, true, Math.min(total, TEXT_EXPORT)),
    ];
    await closeDatabase();
    if (withCli && config.kind === 'postgres') {
      const gate = await startGateProcess({
        DATABASE_URL: config.url,
        ADMIN_API_KEY: KEY,
        RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
      });
      try {
        exports.push(await cliExport(gate.url, label, ['--format', 'jsonl'], total));
        const textYears = Math.max(1, Math.round((20 * Math.min(total, TEXT_EXPORT)) / total));
        const filter = `{"adoptedOn":{"from":"2006-01-01","to":"${2005 + textYears}-12-31"}}`;
        const subset = Number(
          execFileSync('psql', [
            config.url,
            '-Atc',
            `SELECT count(*) FROM documents WHERE adopted_on <= '${2005 + textYears}-12-31'`,
          ])
            .toString()
            .trim(),
        );
        exports.push(await cliExport(gate.url, label, ['--format', 'jsonl', '--text', '--filter', filter], subset));
        exports.push(await cliExport(gate.url, label, ['--format', 'parquet', '--text', '--filter', filter], subset));
      } finally {
        await gate.stop();
      }
    }
    return { loadSeconds, ...measured, exports };
  } finally {
    await closeDatabase();
  }
}

async function main() {
  const limit = dbLimit().line;
  const db = await createPostgresDatabase('reyestr_bench_search');
  let pg: Awaited<ReturnType<typeof runOn>>;
  try {
    pg = await runOn(db.config, DOCUMENTS, `PostgreSQL, ${DOCUMENTS.toLocaleString('en')}`, true);
  } finally {
    await db.drop();
  }
  let lite: Awaited<ReturnType<typeof runOn>> | null = null;
  if (process.env.BENCH_SKIP_PGLITE !== '1') {
    const dir = join(tmpdir(), `bench-search-pglite-${process.pid}`);
    try {
      lite = await runOn(
        { kind: 'pglite', dataDir: dir },
        PGLITE_DOCUMENTS,
        `PGlite, ${PGLITE_DOCUMENTS.toLocaleString('en')}`,
        false,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const body = `Command: \`npm run bench:search\` (BENCH_DOCUMENTS=${DOCUMENTS}, BENCH_PGLITE_DOCUMENTS=${PGLITE_DOCUMENTS}, BENCH_SAMPLES=${SAMPLES}) — ${new Date().toISOString().slice(0, 10)}, ${machine()}, PostgreSQL on 127.0.0.1; load average at the end ${loadavg()[0].toFixed(2)}.
${limit}

The corpus: synthetic decisions made from the four real fixture decisions (bench/search/corpus.ts) — each the header and
6–10 paragraphs drawn from the real texts (Ukrainian and Russian) plus 12 words from their vocabulary, with its own id,
adopted date (2006–2025), region, court (6 per region), judge (20 per court), form, kind and case number; indexed as the
gate indexes (stems from server/search). Loaded in ${pg.loadSeconds.toFixed(0)} s on PostgreSQL${lite ? `, ${lite.loadSeconds.toFixed(0)} s on PGlite` : ''}.
Queries run through the service functions GraphQL calls (page + count + snippets), ${SAMPLES} samples each with varied
parameters after 3 warm-up runs. Goal: p95 ≤ 100 ms.

| database | query | p50 ms | p95 ms |
|---|---|---|---|
${[...pg.rows, ...(lite?.rows ?? [])].join('\n')}

Export (goal: metadata ≥ 5,000 documents/s, with text ≥ 1,000/s, CLI peak RSS ≤ 200 MB):

| database | path | documents | documents/s | CLI peak RSS |
|---|---|---|---|---|
${[...pg.exports, ...(lite?.exports ?? [])].join('\n')}

<details><summary>EXPLAIN ANALYZE of each query (one sample)</summary>

${[...pg.plans, ...(lite?.plans ?? [])].join('\n\n')}

</details>`;
  console.log(`\n${body}`);
  if (process.env.BENCH_WRITE !== '0') writeSection('Search, statistics and export (`npm run bench:search`)', body);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
