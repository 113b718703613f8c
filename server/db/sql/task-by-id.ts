// One task by id, on the driver directly: the REST completion of an older client (no lease token sent) reads
// the task to find the caller's token on every call, so this is on the hot path.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';
import { selectTasksAsJson, taskFromJson, type TaskRow } from './task-row.ts';

export async function taskById(id: string): Promise<TaskRow | null> {
  const [row] = await run<{ row: unknown }>(selectTasksAsJson(Prisma.sql`tasks WHERE id = ${id}::uuid`));
  return row ? taskFromJson(row) : null;
}
