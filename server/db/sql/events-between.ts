// The task event log between two seqs, oldest first, on the driver directly: every gate's event pump runs it
// after each write it makes (on PGlite, where there is no horizon checkpoint, this is the pump's whole read).
import { Prisma } from '../../generated/prisma/client.ts';
import type { TaskEvent } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

/** Events with `after` < seq <= `upTo` (no upper bound when `upTo` is null), oldest first, at most `limit`. */
export function eventsBetween(after: bigint, upTo: bigint | null, limit: number): Promise<TaskEvent[]> {
  return run<TaskEvent>(Prisma.sql`
    SELECT seq, task_id AS "taskId", type, status, client_id AS "clientId", data, created_at AS "createdAt"
    FROM task_events
    WHERE seq > ${after}::bigint ${upTo === null ? Prisma.empty : Prisma.sql`AND seq <= ${upTo}::bigint`}
    ORDER BY seq
    LIMIT ${limit}::int`);
}
