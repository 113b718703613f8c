// The short chaos run of `npm test`: every scenario once, on a small load, with real processes.
// `npm run chaos` runs them repeatedly on a bigger load and writes docs/reliability.md.
// Here the scenarios run one after another on one throw-away PostgreSQL cluster, each on a database of its own
// copied from one migrated there first (initdb, the server's start and the migrations per scenario cost more than
// anything they check); the chaos command gives each run a cluster of its own, which its gates migrate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTemplate } from '../support/database-templates.ts';
import { createPgCluster, postgresBinDir } from '../support/pg-cluster.ts';
import type { SharedPg } from './cluster.ts';
import { runScenario, SHORT_LOAD } from './run.ts';
import { scenarios } from './scenarios.ts';

const haveServerBinaries = postgresBinDir() !== null;

describe.skipIf(!haveServerBinaries)('chaos (short)', () => {
  let pg: SharedPg;
  beforeAll(async () => {
    const cluster = await createPgCluster();
    pg = { cluster, template: await createPostgresTemplate(cluster.url) };
  });
  afterAll(() => pg?.cluster.destroy());

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
