import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each integration test file gets its own PostgreSQL database / PGlite instance, so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The JSON report feeds the one-line summary .ci/run prints at the end.
    reporters: ['default', ['json', { outputFile: 'test-output/vitest-results.json' }]],
  },
});
