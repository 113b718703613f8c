import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One graphql module for everyone, as under tsx/Node: graphql has no "exports" map, so Node loads its CJS
    // build for every package, but Vite would give our sources the ESM build (its "module" field) — two
    // GraphQLError classes, and graphql-ws refuses errors that are not instances of its own.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Each integration test file gets its own PostgreSQL database / PGlite instance, so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    // A safety net, not a measure: tests wait on conditions with their own deadlines, and on a loaded 2-core box
    // (CI) a test that spawns gates and workers can honestly take longer than 30 s. Speed lives in benchmarks.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // The JSON report feeds the one-line summary .ci/run prints at the end.
    reporters: ['default', ['json', { outputFile: 'test-output/vitest-results.json' }]],
  },
});
