// Caps every statement of the current transaction at `ms` (PostgreSQL cancels past it with 57014);
// SET LOCAL ends with the transaction. The value is a number the gate computes, never caller text.
import type { prisma } from '../database.ts';

type Tx = Pick<typeof prisma, '$executeRawUnsafe'>;

export async function setStatementTimeout(tx: Tx, ms: number): Promise<void> {
  await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${Math.floor(ms)}`);
}
