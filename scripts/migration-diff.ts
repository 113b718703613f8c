// npm run db:migration [-- --name <name>]
// Replays prisma/migrations on a throwaway in-memory PGlite, diffs that database against prisma/schema.prisma
// with the WASM schema engine, and reports "no drift" or writes the next migration folder. Replaces
// `prisma migrate dev --create-only`, which needs a native engine that cannot be downloaded here.

import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, diffDatabaseToSchema, hasStatements } from './schema-engine.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = path.join(root, 'prisma', 'schema.prisma');
const migrationsDir = path.join(root, 'prisma', 'migrations');

const usage = `Usage: npm run db:migration [-- --name <name>]

Applies every prisma/migrations/*/migration.sql (in name order) to a fresh in-memory PGlite and
diffs that database against prisma/schema.prisma.

  (no options)     print "no drift", or print the SQL that is missing and exit 1
  --name <name>    write the missing SQL to prisma/migrations/<UTC yyyymmddHHMMSS>_<name>/migration.sql
                   (name: lower-case letters, digits and underscores; nothing is written without drift)
  -h, --help       show this text

Review a written migration before committing it: the engine only knows tables, columns, indexes, enums
and foreign keys. Functions, triggers and data changes must be added by hand (in a separate migration).`;

/** UTC yyyymmddHHMMSS, like Prisma's migration folder prefixes. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Next folder prefix: now, but never sorting before (or equal to) an existing migration. */
async function nextPrefix(): Promise<string> {
  const existing = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && /^\d{14}_/.test(e.name))
    .map((e) => e.name.slice(0, 14))
    .sort();
  const last = existing.at(-1);
  let now = timestamp(new Date());
  if (last !== undefined && now <= last) {
    const t = `${last.slice(0, 4)}-${last.slice(4, 6)}-${last.slice(6, 8)}T${last.slice(8, 10)}:${last.slice(10, 12)}:${last.slice(12, 14)}Z`;
    now = timestamp(new Date(Date.parse(t) + 1000));
    console.error(`note: clock is not past the last migration (${last}); using ${now}`);
  }
  return now;
}

async function main(): Promise<number> {
  let values: { name?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (values.name !== undefined && !/^[a-z0-9_]+$/.test(values.name)) {
    console.error(`invalid --name ${JSON.stringify(values.name)}: use lower-case letters, digits and underscores`);
    return 2;
  }

  const pglite = new PGlite(); // in memory: nothing touches a real database
  try {
    const applied = await applyMigrations(pglite, migrationsDir);
    console.error(`applied ${applied.length} migration(s) to an in-memory PGlite`);
    const sql = await diffDatabaseToSchema(pglite, schemaPath);

    if (!hasStatements(sql)) {
      console.log(values.name === undefined ? 'no drift' : 'no drift: nothing to write');
      return 0;
    }
    if (values.name === undefined) {
      process.stdout.write(sql);
      console.error('\ndrift: schema.prisma differs from the migrations; write it with --name <name>');
      return 1;
    }

    const folder = path.join(migrationsDir, `${await nextPrefix()}_${values.name}`);
    if (existsSync(folder)) throw new Error(`${folder} already exists`);
    await mkdir(folder);
    await writeFile(path.join(folder, 'migration.sql'), sql);
    console.log(`wrote ${path.relative(root, path.join(folder, 'migration.sql'))}`);
    return 0;
  } finally {
    await pglite.close();
  }
}

process.exitCode = await main();
