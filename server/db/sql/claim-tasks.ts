// Claim: lease up to `limit` runnable tasks to one client in a single statement. SKIP LOCKED lets concurrent
// claimers pass over each other's rows instead of waiting, so no task is handed out twice and nobody queues.
// `= ANY(ARRAY(...))` makes PostgreSQL run the locking sub-select exactly once.
//
// The statement also checks that the client may claim (exists, not disabled, registered with the caller's
// key unless the caller is an admin: `ownerKeyId` null) and marks it alive — the hot path is one round trip.
// When it claims nothing, the service looks closer to tell "no work" from "not allowed".
//
// Pauses are read here too, so a paused thing costs no extra round trip and no claim slips past one: the whole
// queue (gate_state), the client itself (a draining worker keeps what it holds and gets nothing new), and each
// candidate's plan and follow (the plans/follows primary keys; tasks of neither skip those look-ups).
import { Prisma } from '../../generated/prisma/client.ts';
import { inSeconds } from './task-row.ts';
import { transitionTasks } from './transition-tasks.ts';

/**
 * The batch size is written into the statement, not bound: with `LIMIT $n` PostgreSQL costs a generic plan for an
 * unknown limit (a tenth of the table) and so plans the prepared claim again at every call; with the number in the
 * text the plan is cached after five calls. A text per batch size a worker uses (1 and its batch, in practice).
 */
function limitLiteral(limit: number) {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new Error(`claim limit must be a positive integer, not ${limit}`);
  return Prisma.raw(String(limit));
}

export function claimTasks(clientId: string, limit: number, leaseSeconds: number, ownerKeyId: string | null = null) {
  const clientMayClaim = Prisma.sql`EXISTS (SELECT 1 FROM clients WHERE id = ${clientId}::uuid AND status <> 'DISABLED' AND NOT paused
    AND (${ownerKeyId}::uuid IS NULL OR api_key_id = ${ownerKeyId}::uuid))`;
  return transitionTasks({
    where: Prisma.sql`id = ANY(ARRAY(
      SELECT id FROM tasks
      WHERE status = 'PENDING' AND run_at <= now() AND ${clientMayClaim}
        AND NOT EXISTS (SELECT 1 FROM gate_state WHERE queue_paused)
        AND (plan_id IS NULL OR NOT EXISTS (SELECT 1 FROM plans p WHERE p.id = tasks.plan_id AND p.paused))
        AND (follow_id IS NULL OR NOT EXISTS (SELECT 1 FROM follows f WHERE f.id = tasks.follow_id AND f.paused))
      ORDER BY priority DESC, run_at, created_at
      LIMIT ${limitLiteral(limit)}
      FOR UPDATE SKIP LOCKED))`,
    set: Prisma.sql`status = 'CLAIMED', lease_holder_id = ${clientId}::uuid, lease_token = gen_random_uuid(),
      lease_epoch = lease_epoch + 1, lease_expires_at = ${inSeconds(leaseSeconds)}, claimed_at = now(),
      started_at = NULL, documents_downloaded = 0, documents_failed = 0, documents_skipped = 0`,
    event: 'CLAIMED',
    clientId,
    eventData: Prisma.sql`jsonb_build_object('epoch', moved.lease_epoch, 'leaseExpiresAt', moved.lease_expires_at)`,
    alsoCtes: Prisma.sql`, touched AS (
      UPDATE clients SET last_heartbeat_at = now(), status = 'ACTIVE', updated_at = now()
      WHERE id = ${clientId}::uuid AND status <> 'DISABLED' AND EXISTS (SELECT 1 FROM moved))`,
  });
}
