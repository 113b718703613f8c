// Which of these tasks were ever leased to a worker registered with this API key (the current lease, or an
// earlier one recorded by a CLAIMED event): the tasks whose documents that key's workers may store.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export async function tasksLeasedByKey(taskIds: string[], keyId: string): Promise<string[]> {
  if (taskIds.length === 0) return [];
  const rows = await run<{ id: string }>(Prisma.sql`
    SELECT t.id::text AS id FROM tasks t JOIN clients c ON c.id = t.lease_holder_id
    WHERE t.id = ANY(${taskIds}::uuid[]) AND c.api_key_id = ${keyId}::uuid
    UNION
    SELECT e.task_id::text FROM task_events e JOIN clients c ON c.id = e.client_id
    WHERE e.task_id = ANY(${taskIds}::uuid[]) AND e.type = 'CLAIMED' AND c.api_key_id = ${keyId}::uuid`);
  return rows.map((r) => r.id);
}
