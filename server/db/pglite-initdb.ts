// A new PGlite data dir is made (initdb) in a short child process, so the gate's own process never runs initdb.
//
// PGlite runs initdb inside the process that opens a new data dir. That malloc's hundreds of MB while PostgreSQL's
// WASM is compiled and the cluster is made (a fresh gate peaked at ~730 MB), and glibc keeps most of it resident
// once freed: a gate started on a new data dir idled at ~630 MB, one started on the same dir again at ~260 MB
// (docs/benchmarks.md, issue 16). In a child that memory goes back to the system when the child ends; the gate then
// opens a data dir that exists, as on every later start. It costs the first start one more process and one more
// compile of PGlite's WASM (a second or two). Only the gate's own process does this (server/main.ts); tests open
// PGlite in-process again and again and keep PGlite's own path.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Run by the child: argv = [PGlite's module URL, the data dir, the start parameters as JSON]. */
const CHILD = `
const [url, dataDir, startParams] = process.argv.slice(1);
const { PGlite } = await import(url);
const db = await PGlite.create(dataDir, { startParams: [...PGlite.defaultStartParams, ...JSON.parse(startParams)] });
await db.close();
`;

/** Makes `dataDir` a PGlite cluster in a child process unless it is one already. */
export async function initdbInChild(dataDir: string, startParams: string[]): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const pglite = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD, pglite, dataDir, JSON.stringify(startParams)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    const reason = stderr.trim().split('\n').filter(Boolean).at(-1) ?? `exit code ${code}`;
    throw new Error(`could not create the PGlite database in ${dataDir}: ${reason}`);
  }
}
