// Transaction-id wraparound on embedded PGlite: the databases the gate never opens are frozen at its start.
//
// PostgreSQL refuses every statement that needs a new transaction id ("database is not accepting commands that
// assign new transaction IDs to avoid wraparound data loss in database "template0"") once the oldest datfrozenxid
// of ALL databases of the cluster is ~2^31 - 3M transactions old, and PGlite enforces that as a server does. Each
// write the gate makes spends an id (a REST claim and completion ~0.5 of one with the group commit, measured: see
// docs/benchmarks.md), so a busy gate reaches it in months. Autovacuum would freeze template0 and template1 when
// their age passes autovacuum_freeze_max_age; PGlite has none, and the gate's vacuum pass (../pglite-vacuum.ts) can
// only vacuum the database its one instance is open on. A PGlite instance opened on another database of the same
// data dir can (single-user mode lets it into template0 too), but never beside the gate's own instance: so it is
// done here, when the gate opens its data dir, for each database past the freeze age (a few hundred ms each).
import type { PGlite } from '@electric-sql/pglite';
import { databasesPastFreezeAge } from './sql/databases-past-freeze-age.ts';
import { freezeDatabase } from './sql/freeze-database.ts';

/** autovacuum_freeze_max_age's default: the age past which autovacuum would freeze a database. */
export const FREEZE_MAX_AGE = 200_000_000;

/** Opens the data dir's PGlite on `database`, or on the gate's own database when not given. */
export type OpenPglite = (database?: string) => Promise<PGlite>;

/**
 * Given the gate's instance just opened: when another database of the cluster is older than `maxAge`, closes it,
 * freezes each such database on an instance of its own, and opens the gate's anew. Returns the instance to use and
 * the databases frozen (none, nearly always: one check of pg_database).
 */
export async function freezeOtherDatabases(
  pglite: PGlite,
  open: OpenPglite,
  maxAge = FREEZE_MAX_AGE,
): Promise<{ pglite: PGlite; frozen: string[] }> {
  const due = await databasesPastFreezeAge(pglite, maxAge);
  if (!due.length) return { pglite, frozen: [] };
  await pglite.close();
  for (const database of due) {
    const other = await open(database);
    try {
      await freezeDatabase(other);
    } finally {
      await other.close();
    }
  }
  return { pglite: await open(), frozen: due };
}
