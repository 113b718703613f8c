// A sign of life: the client's heartbeat time is now and it is ACTIVE again (unless an admin disabled it).
// Answers whether it was not active before, so the caller publishes only real status changes.
import { prisma } from '../database.ts';

export async function touchClient(clientId: string): Promise<{ wasInactive: boolean }> {
  const [row] = await prisma.$queryRaw<Array<{ wasInactive: boolean }>>`
    WITH before AS (SELECT status FROM clients WHERE id = ${clientId}::uuid)
    UPDATE clients SET last_heartbeat_at = now(), status = 'ACTIVE', updated_at = now()
    WHERE id = ${clientId}::uuid AND status <> 'DISABLED'
    RETURNING (SELECT status FROM before) <> 'ACTIVE' AS "wasInactive"`;
  return row ?? { wasInactive: false };
}
