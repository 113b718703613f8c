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

generate('server/generated', ['prisma/schema.prisma', 'prisma.config.ts', 'node_modules/prisma/package.json'], () =>
  run('npx', ['--no-install', 'prisma', 'generate', '--no-hints']),
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
