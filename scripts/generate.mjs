#!/usr/bin/env node
// Regenerates every generated folder: server/generated (Prisma client + Pothos types) and
// client/gate/generated (GraphQL codegen from the committed schema.graphql).
// Runs on `npm install` (postinstall) and as `npm run generate`.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
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

run('npx', ['--no-install', 'prisma', 'generate', '--no-hints']);

const codegenCli = 'node_modules/@graphql-codegen/cli/cjs/bin.js';
if (existsSync(codegenCli) && existsSync('codegen.ts')) {
  run('node', [codegenCli, '--config', 'codegen.ts', '--silent']);
} else {
  console.warn('generate: GraphQL codegen not installed (production install?); skipping client/gate/generated');
}
