import { defineConfig } from 'vitest/config';
import { LongFilesFirst } from './test/support/long-files-first.ts';

// One graphql module for everyone, as under tsx/Node: graphql has no "exports" map, so Node loads its CJS
// build for every package, but Vite would give our sources the ESM build (its "module" field) — two
// GraphQLError classes, and graphql-ws refuses errors that are not instances of its own.
const resolve = { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] };

// A safety net, not a measure: tests wait on conditions with their own deadlines, and on a loaded 2-core box
// (CI) a test that spawns gates and workers can honestly take longer than 30 s. Speed lives in benchmarks.
const timeouts = { testTimeout: 300_000, hookTimeout: 300_000 };

// Files that only call functions (no gate, no database, no child process, no environment changes): they run in
// worker threads sharing one module cache, instead of a fresh forked process importing everything again per file.
// A file belongs here only if it leaves nothing open and no global changed behind it.
const UNIT = [
  'test/architecture/boundaries.test.ts',
  'test/architecture/schema-descriptions.test.ts',
  'test/gate/alert-rules.test.ts',
  'test/hardening/graphiql-tabs.test.ts',
  'test/hardening/worker-files.test.ts',
  'test/operator/plan-window.test.ts',
  'test/operator/progress-bar.test.ts',
  'test/registry/damaged-pages.test.ts',
  'test/registry/fields.test.ts',
  'test/registry/parsers.test.ts',
  'test/registry/session.test.ts',
  'test/search/words.test.ts',
  'test/worker/session-pool.test.ts',
  'test/worker/waker.test.ts',
];

// Integration files that need a process of their own: one mocks a module of the gate (vi.mock), which must not
// leak into other files' module cache; one checks process.exitCode, which the files after it would inherit.
const ISOLATED = ['test/hardening/subscription-release.test.ts', 'test/registry/cli.test.ts'];

// Both integration projects: forked processes (child processes, signals, PGlite's WASM memory), the global set-up
// (build, database templates; it runs once even though two projects name it).
const integration = { globalSetup: ['test/global-setup.ts'], pool: 'forks' as const, ...timeouts };

export default defineConfig({
  resolve,
  test: {
    projects: [
      {
        resolve,
        test: { name: 'unit', include: UNIT, pool: 'threads', isolate: false, ...timeouts },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...ISOLATED],
          // Each integration test file gets its own PostgreSQL database / PGlite instance, so files may run in
          // parallel. A forked process runs one file after another with one module cache (isolate: false), so
          // the gate, Prisma and the GraphQL stack are imported once per process instead of once per file; the
          // set-up file fails a file that leaves a gate's database or a child process open, and closes it.
          // cpu-per-file.ts: with TEST_CPU_LOG set, each file's CPU (docs/testing.md).
          ...integration,
          isolate: false,
          setupFiles: ['test/support/cpu-per-file.ts', 'test/support/left-open.ts'],
        },
      },
      {
        resolve,
        test: { name: 'isolated', include: ISOLATED, ...integration, setupFiles: ['test/support/cpu-per-file.ts'] },
      },
    ],
    // Three files at a time on the 2-core box: most integration tests spend their time waiting on child processes
    // (gates, workers, CLIs, PostgreSQL), so a third file fills CPU the other two leave idle. Ten worker/gate/CLI
    // files, interleaved A/B/B/A at load 15–22: 3:42 and 5:17 wall with 2 workers, 3:14 and 4:04 with 3, the same
    // CPU (93–102 s); the 5:17 run includes a test that hit its then 60 s timeout. Memory is not the limit here (23 GB).
    maxWorkers: 3,
    // Files that run for minutes start first, also on a clean clone without vitest's cache of durations.
    sequence: { sequencer: LongFilesFirst },
    // The JSON report feeds the one-line summary .ci/run prints at the end.
    reporters: ['default', ['json', { outputFile: 'test-output/vitest-results.json' }]],
  },
});
