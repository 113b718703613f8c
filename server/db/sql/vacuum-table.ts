// One table's plain VACUUM: never FULL (it rewrites the table under an exclusive lock, and on PGlite's one
// connection every other statement would wait the whole rewrite). A plain VACUUM marks dead rows' space free for new
// rows, trims their index entries and freezes old rows. Its ANALYZE is a statement of its own (./analyze-table.ts):
// two shorter waits for whatever queues behind them instead of one long one. `table` is regclass text
// (./tables-due-for-vacuum.ts): already quoted, never input.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export async function vacuumTable(table: string): Promise<void> {
  await run(Prisma.raw(`VACUUM ${table}`));
}
