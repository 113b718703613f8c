// One table's ANALYZE: fresh statistics for the planner (a sample of rows, not the whole table). `table` is
// regclass text (./tables-due-for-vacuum.ts): already quoted, never input.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export async function analyzeTable(table: string): Promise<void> {
  await run(Prisma.raw(`ANALYZE ${table}`));
}
