// Which of these task ids exist, on the driver directly (an upload batch names the tasks its documents were
// fetched for).
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export async function existingTaskIds(taskIds: string[]): Promise<Set<string>> {
  if (taskIds.length === 0) return new Set();
  const rows = await run<{ id: string }>(
    Prisma.sql`SELECT id::text AS id FROM tasks WHERE id = ANY(${taskIds}::uuid[])`,
  );
  return new Set(rows.map((r) => r.id));
}
