#!/usr/bin/env node
// The last part of `npm test` (after lint and schema:check): `vitest run` with the typecheck running beside it,
// niced, instead of before it. tsc is ~30 s of CPU and 30–40 s of wall even on a quiet 2-core box, while vitest
// leaves about a quarter of the two cores idle (its processes mostly wait on each other: a full run used ~510 s of
// CPU in ~330 s), so tsc fits in what vitest leaves and `npm test` is shorter by about its own wall time.
// `nice` keeps the tests' processes first. tsc's output comes after vitest's; either failing fails `npm test`.
// Arguments go to vitest (`npm test -- test/gate`); the typecheck is always of the whole project.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const typecheck = spawn('nice', ['-n', '10', process.execPath, tsc, '--noEmit'], { stdio: ['ignore', 'pipe', 'pipe'] });
let typecheckOutput = '';
typecheck.stdout.on('data', (chunk) => (typecheckOutput += chunk));
typecheck.stderr.on('data', (chunk) => (typecheckOutput += chunk));
const typechecked = new Promise((resolve) => {
  typecheck.on('error', (error) => resolve({ code: 1, error }));
  typecheck.on('close', (code, signal) => resolve({ code: code ?? 1, signal }));
});

const vitest = spawn(process.execPath, [vitestBin, 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
const tested = new Promise((resolve) => vitest.on('close', (code) => resolve(code ?? 1)));

const testCode = await tested;
const { code, signal, error } = await typechecked;
if (code === 0) console.log('typecheck (tsc --noEmit, run beside vitest): no errors');
else {
  process.stdout.write(typecheckOutput);
  console.error(`typecheck (tsc --noEmit, run beside vitest) failed: ${error?.message ?? signal ?? `exit ${code}`}`);
}
process.exit(testCode || (code === 0 ? 0 : 1));
