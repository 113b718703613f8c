#!/usr/bin/env node
// The last part of `npm test` (after lint and schema:check): `vitest run` with the typecheck running beside it,
// niced, instead of before it. tsc is ~25 s of CPU and 30–40 s of wall even on a quiet 2-core box, and vitest leaves
// part of the two cores idle (its processes wait on each other, on PostgreSQL, on timers), so tsc mostly fits in
// what vitest leaves and `npm test` is shorter by about its own wall time. `nice` keeps the tests' processes first.
//
// A typecheck that fails beside vitest runs once more after it, alone, and that run's result is the verdict: once
// (clean-clone CI of ecd480e) tsc beside vitest failed with TS6053, a generated file it had listed not found a moment
// later, while nothing in the tree was wrong; the cause was not found. A real type error fails both runs, so the
// second run hides nothing — it only makes a failure that was not the code's cost one more tsc.
// tsc's output comes after vitest's; either failing fails `npm test`. Arguments go to vitest (`npm test -- test/gate`);
// the typecheck is always of the whole project.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');

/** Runs tsc --noEmit (niced when beside vitest); resolves with its exit code and output. */
function typecheck(niced) {
  const tscRun = [process.execPath, tsc, '--noEmit'];
  const [command, ...args] = niced ? ['nice', '-n', '10', ...tscRun] : tscRun;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? 1, output: signal ? `${output}killed by ${signal}\n` : output }),
    );
  });
}

const besideVitest = typecheck(true);
const vitest = spawn(process.execPath, [vitestBin, 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
const testCode = await new Promise((resolve) => vitest.on('close', (code) => resolve(code ?? 1)));

let checked = await besideVitest;
if (checked.code !== 0) {
  console.error('typecheck beside vitest failed; running it again alone (its result is the verdict):');
  process.stderr.write(checked.output);
  checked = await typecheck(false);
}
if (checked.code === 0) console.log('typecheck (tsc --noEmit): no errors');
else {
  process.stdout.write(checked.output);
  console.error(`typecheck (tsc --noEmit) failed (exit ${checked.code})`);
}
process.exit(testCode || (checked.code === 0 ? 0 : 1));
