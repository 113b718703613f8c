// ACTIVE clients whose last heartbeat is older than `silentSeconds` become INACTIVE; returns their ids.
import { prisma } from '../database.ts';

export async function markSilentClientsInactive(silentSeconds: number): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    UPDATE clients SET status = 'INACTIVE', updated_at = now()
    WHERE status = 'ACTIVE' AND last_heartbeat_at < now() - make_interval(secs => ${silentSeconds}::float8)
    RETURNING id`;
  return rows.map((r) => r.id);
}
