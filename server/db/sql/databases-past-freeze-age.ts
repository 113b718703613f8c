// The other databases of a PGlite cluster (template0, template1, any made by hand) whose datfrozenxid is older than
// `maxAge` transactions, read on the gate's own PGlite at start (../pglite-freeze-databases.ts). PostgreSQL stops
// assigning transaction ids when the OLDEST datfrozenxid of the cluster nears 2^31 transactions ago, and only a
// VACUUM inside a database advances its datfrozenxid: PGlite has no autovacuum to visit the databases the gate
// never opens. On the PGlite instance itself: this runs before the gate's Database exists.
import type { PGlite } from '@electric-sql/pglite';

export async function databasesPastFreezeAge(pglite: PGlite, maxAge: number): Promise<string[]> {
  const { rows } = await pglite.query<{ datname: string }>(
    `SELECT datname FROM pg_database
     WHERE datname <> current_database() AND age(datfrozenxid) > $1::bigint ORDER BY datname`,
    [maxAge],
  );
  return rows.map((row) => row.datname);
}
