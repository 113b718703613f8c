// Heartbeat: one statement extends the client's leases — all of them, or only the tasks the worker says it
// is running. The second form matters: a claim whose answer was lost on the way (gate or database restart
// mid-request) leaves a task leased to a worker that never heard of it; not extending it lets it expire and
// go back to the queue instead of being kept alive forever by the worker's heartbeats.
// No event: a lease extension is not a state change, and heartbeats would flood the log.
import { Prisma } from '../../generated/prisma/client.ts';
import { prisma } from '../database.ts';
import { inSeconds, LEASED } from './task-row.ts';

export function extendLeases(clientId: string, leaseSeconds: number, onlyTaskIds?: string[]) {
  const only = onlyTaskIds ? Prisma.sql`AND id = ANY(${onlyTaskIds}::uuid[])` : Prisma.empty;
  return prisma.$queryRaw<Array<{ id: string; leaseExpiresAt: Date }>>`
    UPDATE tasks SET lease_expires_at = ${inSeconds(leaseSeconds)}, updated_at = now()
    WHERE lease_holder_id = ${clientId}::uuid AND status IN ${LEASED} ${only}
    RETURNING id, lease_expires_at AS "leaseExpiresAt"`;
}
