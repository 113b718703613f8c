// Makes the session's pending table statistics visible. A backend sends its row counts to the shared statistics
// at most once a second, after a statement; PGlite is one backend, so without this the upkeep pass
// (../../pglite-vacuum.ts) would judge on counts up to a second old (the flush happens right after this statement).
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export async function flushTableStatistics(): Promise<void> {
  await run(Prisma.sql`SELECT pg_stat_force_next_flush()`);
}
