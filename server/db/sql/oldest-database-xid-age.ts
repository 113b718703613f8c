// How many transactions ago the oldest datfrozenxid of the cluster is: what PostgreSQL's wraparound limit counts
// from (it refuses new transaction ids about 2^31 - 3M past it). Read by the PGlite vacuum pass
// (../../pglite-vacuum.ts), which vacuums only the gate's own database: the others are frozen at the gate's start
// (../pglite-freeze-databases.ts), so a gate running for long is told, by this age, when to restart.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export async function oldestDatabaseXidAge(): Promise<number> {
  const [row] = await run<{ age: number }>(Prisma.sql`SELECT max(age(datfrozenxid))::int AS age FROM pg_database`);
  return row.age;
}
