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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The JSON report feeds the one-line summary .ci/run prints at the end.
    reporters: ['default', ['json', { outputFile: 'test-output/vitest-results.json' }]],
  },
});
