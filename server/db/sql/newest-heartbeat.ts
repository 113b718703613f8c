// The newest heartbeat of any worker not disabled, and its age by the database's clock (a gate whose own clock
// is off would otherwise see workers silent, or alive, that are not).
import { prisma } from '../database.ts';

export async function newestHeartbeat(): Promise<{ at: Date; ageMs: number } | null> {
  const [row] = await prisma.$queryRaw<Array<{ at: Date | null; ageMs: number | null }>>`
    SELECT max(last_heartbeat_at) AS at,
      (extract(epoch FROM now() - max(last_heartbeat_at)) * 1000)::float8 AS "ageMs"
    FROM clients WHERE status <> 'DISABLED'`;
  return row?.at ? { at: row.at, ageMs: Math.max(0, Number(row.ageMs)) } : null;
}
