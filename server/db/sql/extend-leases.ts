// Heartbeat: one statement extends every lease the client holds. No event: a lease extension is not a state
// change, and heartbeats would flood the log.
import { prisma } from '../client.ts';
import { inSeconds, LEASED } from './task-row.ts';

export function extendLeases(clientId: string, leaseSeconds: number) {
  return prisma.$queryRaw<Array<{ id: string; leaseExpiresAt: Date }>>`
    UPDATE tasks SET lease_expires_at = ${inSeconds(leaseSeconds)}, updated_at = now()
    WHERE lease_holder_id = ${clientId}::uuid AND status IN ${LEASED}
    RETURNING id, lease_expires_at AS "leaseExpiresAt"`;
}
