// Runs once before any test file:
// - brings the compiled build (dist/) up to date, so every CLI, worker and gate process the tests spawn
//   through bin/reyestr.mjs starts from JavaScript at once instead of each one rebuilding (or compiling
//   TypeScript) on its own;
// - makes the migrated database templates the test files' databases are copied from
//   (test/support/database-templates.ts), and a fresh PGlite's initdb output for migrations-drift; vitest starts its workers after this, so they inherit the variables.
// Two projects name it (vitest.config.ts: `integration` and `isolated`) and vitest runs each project's global
// set-up in vitest's main process, one after the other: the second finds the first's templates and does nothing.
import { build, buildIsCurrent } from '../scripts/build.mjs';
import {
  createPostgresTemplate,
  dropPostgresTemplate,
  PG_TEMPLATE_ENV,
  PGLITE_EMPTY_ENV,
  PGLITE_TEMPLATE_ENV,
  pgliteEmptyDump,
  pgliteTemplateDir,
} from './support/database-templates.ts';
import { PG_ADMIN_URL } from './support/databases.ts';

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env[PGLITE_TEMPLATE_ENV]) return async () => {};
  const [, pgTemplate, [pgliteTemplate, pgliteEmpty]] = await Promise.all([
    buildIsCurrent() ? undefined : build(),
    createPostgresTemplate(PG_ADMIN_URL),
    // the template's initdb also makes the empty dump when neither exists
    pgliteTemplateDir().then(async (dir) => [dir, await pgliteEmptyDump()] as const),
  ]);
  if (pgTemplate) process.env[PG_TEMPLATE_ENV] = pgTemplate;
  process.env[PGLITE_TEMPLATE_ENV] = pgliteTemplate;
  process.env[PGLITE_EMPTY_ENV] = pgliteEmpty;
  return async () => {
    if (pgTemplate) await dropPostgresTemplate(PG_ADMIN_URL, pgTemplate);
  };
}
