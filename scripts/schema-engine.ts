// Dev/CI helper around Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm).
// The Prisma CLI would need a native schema engine that cannot be downloaded here, so `prisma migrate diff`
// is unavailable; the same Rust engine ships as an (undocumented, internal) wasm-bindgen package instead.
// Used by scripts/migration-diff.ts and test/migrations-drift.test.ts — never by the gate at runtime.
//
// The package version must match @prisma/engines-version (7.10.0-4.<hash>), not npm's "latest" 8.x.

import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
// Transitive dependency (via @prisma/adapter-pg / pglite-prisma-adapter): wraps an adapter factory into the
// "error capturing" shape ({ ok, value } results + an error registry) that Prisma's engines expect.
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { DiffParams, SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

let loaded: Promise<typeof glue> | undefined;

/**
 * Instantiate the .wasm once per process.
 * The package's entry point (schema_engine.js) does `import * as wasm from "./schema_engine_bg.wasm"`, which only
 * bundlers understand (Node 20 has no stable wasm ES modules). So we do by hand what that entry does: compile
 * the bytes with the JS glue as the import object, hand the exports back to the glue, run the start function.
 */
function loadEngine(): Promise<typeof glue> {
  loaded ??= (async () => {
    // The glue reports Rust panics through this global (Prisma's CLI installs the same object).
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(m: string): void } };
    g.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message(m: string) {
        process.stderr.write(`schema engine panic: ${m}\n`);
      },
    };
    const require = createRequire(import.meta.url);
    // (package.json is not in the package's "exports"; resolve the entry and take its folder)
    const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
    // The wasm imports everything from the module name "./schema_engine_bg.js", i.e. the glue itself.
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return loaded;
}

/**
 * Run `diff` on a fresh engine bound to a driver adapter (the engine does all its SQL through it), asking for
 * an executable script (like `prisma migrate diff --script`). Engines are cheap once the wasm is loaded.
 */
async function diffScript(
  factory: SqlMigrationAwareDriverAdapterFactory,
  from: DiffParams['from'],
  to: DiffParams['to'],
): Promise<string> {
  const { SchemaEngine } = await loadEngine();
  // The engine expects the "error capturing" factory: driver errors come back as values, and the engine
  // only reports "External error id#N" — the real error is looked up in the wrapper's registry below.
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const debug = process.env.DEBUG_SCHEMA_ENGINE ? (m: string) => process.stderr.write(`${m}\n`) : () => {};
  let engine: SchemaEngine | undefined;
  try {
    // Args: constructor options (no datamodel needed: every call passes its schema), a debug-log callback,
    // the adapter. new() connects through the adapter right away.
    engine = await SchemaEngine.new({ datamodels: undefined }, debug, bound);
    const result = await engine.diff({
      from,
      to,
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.stdout ?? '';
  } catch (err) {
    const id = /External error id#(\d+)/.exec(String((err as Error)?.message))?.[1];
    const original = id === undefined ? undefined : bound.errorRegistry.consumeError(Number(id))?.error;
    throw original === undefined
      ? err
      : new Error(`schema engine, driver error: ${describe(original)}`, { cause: original });
  } finally {
    engine?.free();
  }
}

/** The engine takes schema files as { path, content } (a schema may be split over several files). */
async function schemaFiles(schemaPath: string) {
  return [{ path: path.resolve(schemaPath), content: await readFile(schemaPath, 'utf8') }];
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

/** Full SQL that creates, in an empty PostgreSQL database, everything the Prisma schema describes. */
export async function diffEmptyToSchema(schemaPath: string): Promise<string> {
  // Empty → datamodel reads no database, but SchemaEngine.new connects through its adapter right away
  // (a mock adapter that rejects every query makes it fail), so give it a throwaway in-memory PGlite.
  const pglite = new PGlite();
  try {
    const files = await schemaFiles(schemaPath);
    return await diffScript(new PrismaPGlite(pglite), { tag: 'empty' }, { tag: 'schemaDatamodel', files });
  } finally {
    await pglite.close();
  }
}

/**
 * SQL needed to bring the live PGlite database to what the Prisma schema describes: empty (or only
 * comments) when there is no drift. Introspection works through PGlite's adapter; through PrismaPg it fails
 * ("Column type 'char' could not be deserialized").
 */
export async function diffDatabaseToSchema(pglite: PGlite, schemaPath: string): Promise<string> {
  const files = await schemaFiles(schemaPath);
  // "schemaDatasource" = the database of the schema's datasource, which with an adapter means "connect
  // through the adapter" (the CLI's --from-config-datasource). configDir only matters for SSL file paths.
  return diffScript(
    new PrismaPGlite(pglite),
    { tag: 'schemaDatasource', files, configDir: path.dirname(path.resolve(schemaPath)) },
    { tag: 'schemaDatamodel', files },
  );
}

/** True when a diff script contains SQL statements, not just the engine's comments ("-- This is an empty migration."). */
export function hasStatements(sql: string): boolean {
  return sql.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--'));
}

/**
 * Apply every `<dir>/<name>/migration.sql` in name order (Prisma's layout, timestamps sort correctly), each as
 * one multi-statement script. Returns the migration names. No `_prisma_migrations` rows: this is only for
 * building a throwaway database to diff (the engine ignores that table anyway).
 */
export async function applyMigrations(pglite: PGlite, migrationsDir: string): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const name of names) {
    const sql = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
    try {
      await pglite.exec(sql);
    } catch (err) {
      throw new Error(`migration ${name} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return names;
}
