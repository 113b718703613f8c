// The gate process keeps Prisma's query compiler on V8's baseline WASM compiler (Liftoff), never TurboFan.
//
// V8 gives every function of a WASM instance a budget when the instance is made and compiles a function again
// with TurboFan once its runs have spent it. The query compiler (a 3.4 MB module, instantiated by the Prisma
// client's first query) has large functions: TurboFan compiling the hot ones during the gate's first queries
// malloc'ed 40–70 MB of compiler memory at once, and glibc keeps that resident once freed (its arenas are left
// fragmented) — about 40–50 MB of a PostgreSQL gate's ~190 MB RSS. Prisma caches a plan per query shape
// (queryPlanCacheMaxSize, 1,000 by default), so the compiler runs once per shape, not per request; a gate with the
// compiler on Liftoff spent no more CPU per REST or GraphQL cycle, and compiled new shapes with less CPU (no
// TurboFan jobs). Numbers: docs/benchmarks.md, issue 16.
//
// The budget is a process-wide V8 flag read when an instance is made, so it is raised once the database is open:
// PGlite's PostgreSQL, instantiated while the database opened, keeps the default budget and its optimising tier
// (it runs every query). Every WASM instance made afterwards in this process stays on Liftoff, which is why only
// the gate's own process does this (server/main.ts), not a test run that opens PGlite again and again.
//
// PGlite's PostgreSQL does tier up, one function at a time: V8 runs up to one optimising compile per thread of its
// pool (4) at once, and each of PostgreSQL's large functions takes tens of MB of compiler memory. glibc keeps what
// those compiles free in its arenas, in holes it cannot give back (a gate on PGlite held ~100 MB of arena of which
// ~25 MB was in use; V8's peak malloc 61–81 MB, 32–34 MB one at a time). PGlite alone, 12,000 statements: RSS
// 243–260 → 201–213 MB with the same CPU per statement once warm (docs/benchmarks.md, session 14).
import { setFlagsFromString } from 'node:v8';

/** More than any function spends in a gate's life (the budget counts roughly bytes executed; an int32 flag). */
const NEVER_TIER_UP = 2_000_000_000;

/** Before the database opens: WASM functions are compiled (and tiered up) one at a time, not one per pool thread. */
export function compileWasmOneFunctionAtATime(): void {
  setFlagsFromString('--wasm-num-compilation-tasks=1');
}

export function keepLaterWasmOnBaseline(): void {
  setFlagsFromString(`--wasm-tiering-budget=${NEVER_TIER_UP}`);
}
