// One table's VACUUM, with ANALYZE when asked: never FULL (it rewrites the table under an exclusive lock, and on
// PGlite's one connection every other statement would wait the whole rewrite). A plain VACUUM marks dead rows'
// space free for new rows and trims their index entries. `table` is regclass text (./tables-due-for-vacuum.ts):
// already quoted, never input.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export async function vacuumTable(table: string, analyze: boolean): Promise<void> {
  await run(Prisma.raw(`VACUUM ${analyze ? '(ANALYZE) ' : ''}${table}`));
}
