// A database-wide VACUUM (FREEZE) on a PGlite instance opened on that database (../pglite-freeze-databases.ts):
// every row of every table frozen, so the database's datfrozenxid becomes the current transaction id and no longer
// holds back the cluster's wraparound limit. It assigns no transaction id itself, so it runs even past that limit.
import type { PGlite } from '@electric-sql/pglite';

export async function freezeDatabase(pglite: PGlite): Promise<void> {
  await pglite.exec('VACUUM (FREEZE)');
}
