#!/usr/bin/env node
// Regenerates every generated folder: server/generated (Prisma client + Pothos types) and
// client/gate/generated (GraphQL codegen from the committed schema.graphql).
// Runs on `npm install` (postinstall) and as `npm run generate`. With --if-stale (typecheck and the schema
// scripts run it first) a folder is regenerated only when its sources changed since it was made — a checkout
// pulled forward without `npm install` would otherwise print, check and typecheck against stale generated code.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A checkout without its dependencies (no `npm install` yet) cannot generate, print or check anything: say that,
// not npx's "canceled due to missing packages" and a stack trace.
if (!existsSync('node_modules/prisma/package.json')) {
  console.error('generate: the dependencies are not installed (no node_modules/prisma): run `npm install` first');
  process.exit(1);
}

// `prisma generate` is pure WASM in Prisma 7 but the CLI still wants a native schema-engine path; it cannot be
// downloaded here, and generate never runs it, so an empty executable satisfies the check.
const stubDir = join(tmpdir(), 'reyestr-prisma-stub');
const stub = join(stubDir, 'schema-engine');
if (!existsSync(stub)) {
  mkdirSync(stubDir, { recursive: true });
  writeFileSync(stub, '#!/bin/sh\nexit 1\n');
  chmodSync(stub, 0o755);
}
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? stub,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit', env });
const ifStale = process.argv.includes('--if-stale');

/** sha256 over the files' names and bytes: what a generated folder was made from. */
const digestOf = (files) => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(existsSync(file) ? readFileSync(file) : '');
  return hash.digest('hex');
};
/** Runs `make` unless (with --if-stale) `folder` was made from these very sources; then stamps the folder. */
const generate = (folder, sources, make) => {
  const stamp = join(folder, '.sources-sha256');
  const digest = digestOf(sources);
  if (ifStale && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  make();
  writeFileSync(stamp, digest);
};

/**
 * Prisma's generated client imports its query compiler's WASM as a module holding it in base64 (4.4 MB): an imported
 * module is never let go, so its source and its `wasm` string stayed on the heap for the process's life (8.8 MB of
 * a gate's; docs/benchmarks.md, issue 16). The client reads that file as text instead and decodes it, which leaves
 * nothing behind but the compiled module. A Prisma that generates something else fails here, not at run time.
 */
const QUERY_COMPILER_IMPORT =
  /const \{ wasm \} = await import\(("@prisma\/client\/runtime\/query_compiler_[\w.]+\.wasm-base64\.mjs")\)\n(\s*)return await decodeBase64AsWasm\(wasm\)/;
function readQueryCompilerAsText() {
  const file = 'server/generated/prisma/internal/class.ts';
  const generated = readFileSync(file, 'utf8');
  if (!QUERY_COMPILER_IMPORT.test(generated)) {
    throw new Error(`generate: ${file} no longer imports Prisma's query compiler as scripts/generate.mjs expects`);
  }
  const patched = generated.replace(
    QUERY_COMPILER_IMPORT,
    (_, specifier, indent) =>
      `// scripts/generate.mjs: read as text, not imported (an imported module stays on the heap)\n` +
      `${indent}const { readFileSync } = await import('node:fs')\n` +
      `${indent}const source = readFileSync(new URL(import.meta.resolve(${specifier})), 'latin1')\n` +
      `${indent}return await decodeBase64AsWasm(source.slice(source.indexOf('"') + 1, source.lastIndexOf('"')))`,
  );
  writeFileSync(file, patched);
}

generate(
  'server/generated',
  ['prisma/schema.prisma', 'prisma.config.ts', 'node_modules/prisma/package.json', 'scripts/generate.mjs'],
  () => {
    run('npx', ['--no-install', 'prisma', 'generate', '--no-hints']);
    readQueryCompilerAsText();
  },
);

const codegenCli = 'node_modules/@graphql-codegen/cli/cjs/bin.js';
if (existsSync(codegenCli) && existsSync('codegen.ts')) {
  const documents = readdirSync('client', { recursive: true })
    .map((name) => join('client', String(name)))
    .filter((file) => file.endsWith('.ts') && !file.startsWith(join('client', 'gate', 'generated')))
    .sort();
  generate('client/gate/generated', ['codegen.ts', 'schema.graphql', ...documents], () =>
    run('node', [codegenCli, '--config', 'codegen.ts', '--silent']),
  );
} else {
  console.warn('generate: GraphQL codegen not installed (production install?); skipping client/gate/generated');
}
