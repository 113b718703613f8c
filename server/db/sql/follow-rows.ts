// Statements of following: lock one follow for its run, pick the due ones, and read what a window's
// round of tasks (its PLAN task and everything planned under it) has come to.
import { prisma } from '../database.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

/** Locks a follow for the caller's transaction (a run); false when it does not exist. */
export async function lockFollow(id: string, db: Db = prisma): Promise<boolean> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`SELECT id FROM follows WHERE id = ${id}::uuid FOR UPDATE`;
  return rows.length > 0;
}

/**
 * Locks the next due follow that no other transaction holds (SKIP LOCKED), so two schedulers can never
 * run the same follow twice; null when none is due.
 */
export async function lockNextDueFollow(now: Date, db: Db = prisma): Promise<string | null> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM follows WHERE NOT paused AND next_run_at <= ${now}
    ORDER BY next_run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`;
  return rows[0]?.id ?? null;
}
