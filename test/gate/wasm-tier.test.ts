// keepLaterWasmOnBaseline() (server/db/wasm-tier.ts) rests on how V8 tiers WASM up: each instance takes its functions'
// budget from the flag when it is made. This pins that on the Node that runs the tests: an instance made before the
// call (PGlite's) still reaches TurboFan, one made after it (Prisma's query compiler) stays on Liftoff however hot.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safetyNet } from '../support/deadlines.ts';

// Two one-function modules (a loop summing n..1), differing only in the export's name so V8 does not share their
// compiled code. V8's %-functions (--allow-natives-syntax) tell which tier a function runs on.
const CHILD = `
const bytes = (name) => new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f, 3, 2, 1, 0,
  7, 5, 1, 1, name.charCodeAt(0), 0, 0, 10, 0x23, 1, 0x21, 1, 1, 0x7f, 2, 0x40, 3, 0x40, 0x20, 0, 0x45, 0x0d, 1,
  0x20, 1, 0x20, 0, 0x6a, 0x21, 1, 0x20, 0, 0x41, 1, 0x6b, 0x21, 0, 0x0c, 0, 0x0b, 0x0b, 0x20, 1, 0x0b]);
const instance = (name) => new WebAssembly.Instance(new WebAssembly.Module(bytes(name))).exports[name];
const early = instance('f');
const { keepLaterWasmOnBaseline } = await import(${JSON.stringify(resolve('server/db/wasm-tier.ts'))});
keepLaterWasmOnBaseline();
const late = instance('g');
let calls = 0;
// TurboFan compiles in the background: call both until the early one runs optimised code (yielding now and then).
while (!%IsTurboFanFunction(early)) {
  if (early(100000) !== late(100000)) throw new Error('the two modules disagree');
  if (++calls % 1000 === 0) await new Promise((r) => setImmediate(r));
}
// By now the late one has spent what tiered the early one up; without the call it would be optimised after as much again.
for (let i = 1; i <= 10 * calls; i++) {
  late(100000);
  if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
}
console.log(JSON.stringify({ early: %IsTurboFanFunction(early), lateOnLiftoff: %IsLiftoffFunction(late) }));
`;

describe('WASM tiering of instances made after keepLaterWasmOnBaseline()', () => {
  it('leaves earlier instances to tier up and keeps later ones on Liftoff', () => {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--allow-natives-syntax', '--input-type=module', '-e', CHILD],
      { encoding: 'utf8', timeout: safetyNet(60_000) },
    );
    expect(JSON.parse(out)).toEqual({ early: true, lateOnLiftoff: true });
  });
});
