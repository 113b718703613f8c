// The short chaos run of `npm test`: every scenario once, on a small load, with real processes.
// `npm run chaos` runs them repeatedly on a bigger load and writes docs/reliability.md.
// Here the scenarios run one after another on one throw-away PostgreSQL cluster, each on a database of its own
// (initdb and the server's start per scenario cost more than anything they check); the chaos command gives each
// run a cluster of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgCluster, postgresBinDir, type PgCluster } from '../support/pg-cluster.ts';
import { runScenario, SHORT_LOAD } from './run.ts';
import { scenarios } from './scenarios.ts';

const haveServerBinaries = postgresBinDir() !== null;

describe.skipIf(!haveServerBinaries)('chaos (short)', () => {
  let pg: PgCluster;
  beforeAll(async () => {
    pg = await createPgCluster();
  });
  afterAll(() => pg?.destroy());

  it.each(scenarios.map((s) => [s.name, s] as const))(
    '%s: nothing lost, nothing done twice',
    async (_name, scenario) => {
      const result = await runScenario(scenario, SHORT_LOAD, pg);
      if (result.violations.length) console.error(result.logs);
      expect(result.violations).toEqual([]);
      expect(result.report.completed).toBe(result.tasksCreated);
      expect(result.report.documentsOnDisk).toBe(result.tasksCreated * SHORT_LOAD.documentsPerTask);
    },
  );
});
