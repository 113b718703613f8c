// npm run bench:corpus-s3-memory — how the gate's resident memory moves during an upload run with the S3 store
// (s3rver in this process): the gate's VmRSS / RssAnon when idle after start, at the end and at the peak (sampled
// every 2 s), its CPU per document, and how many scavenges and mark-compacts it made (--trace-gc is added to
// BENCH_GATE_NODE_ARGS). Compare node options by running it with BENCH_GATE_NODE_ARGS='--heap-growing-percent=15'
// and without, one after the other. Env: CORPUS_DOCS (1500), CORPUS_WORKERS (8), BENCH_DB_PREFIX. Prints only.
import { ContentClient } from '../client/corpus/content-client.ts';
import { uploadBatch } from '../client/corpus/upload.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { startTestS3 } from '../test/support/s3.ts';
import { corpus, timed } from './corpus-run.ts';
import { cpuMs, procStatusMb, startGateProcess } from './support.ts';

const DOCS = Number(process.env.CORPUS_DOCS ?? 1500);
const WORKERS = Number(process.env.CORPUS_WORKERS ?? 8);
const KEY = 'bench-corpus-admin-key-0123456789';
process.env.BENCH_GATE_NODE_ARGS = `${process.env.BENCH_GATE_NODE_ARGS ?? ''} --trace-gc`;

const s3 = await startTestS3('reyestr-bench');
const db = await createPostgresDatabase(process.env.BENCH_DB_PREFIX ?? 'reyestr_bench_corpus');
const docs = await corpus(DOCS, 0);
const gate = await startGateProcess({
  DATABASE_URL: (db.config as { url: string }).url,
  ...s3.env(),
  ADMIN_API_KEY: KEY,
  RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
});
try {
  const pid = gate.child.pid!;
  const mb = (field: string) => Math.round(procStatusMb(pid, field));
  const idle = { rss: mb('VmRSS'), anon: mb('RssAnon') };
  let peak = idle.rss;
  const timer = setInterval(() => (peak = Math.max(peak, mb('VmRSS'))), 2000);
  const client = new ContentClient(gate.url, KEY);
  const cpuBefore = cpuMs(pid);
  const seconds = await timed(docs, WORKERS, async (batch) => void (await uploadBatch(client, batch)));
  clearInterval(timer);
  const end = { rss: mb('VmRSS'), anon: mb('RssAnon') };
  peak = Math.max(peak, end.rss);
  const gcs = (kind: string) => gate.lines().filter((l) => l.includes(kind)).length;
  console.log(
    `S3 store, ${DOCS} documents, ${WORKERS} uploaders, node options: ${process.env.BENCH_GATE_NODE_ARGS.trim()}\n` +
      `  RSS idle ${idle.rss} MB (anon ${idle.anon}), end ${end.rss} MB (anon ${end.anon}), peak ${peak} MB; ` +
      `${Math.round(DOCS / seconds)} documents/s, gate CPU ${((cpuMs(pid) - cpuBefore) / DOCS).toFixed(2)} ms per document; ` +
      `${gcs('Scavenge')} scavenges, ${gcs('Mark-Compact')} mark-compacts`,
  );
} finally {
  await gate.stop();
  await db.drop();
  await s3.close();
}
process.exit(0);
