// The cheapest round trip to the database: proves a connection can be had and a statement runs.
import { prisma } from '../database.ts';

export async function ping(): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}
