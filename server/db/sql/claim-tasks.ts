// Claim: lease up to `limit` runnable tasks to one client in a single statement. SKIP LOCKED lets concurrent
// claimers pass over each other's rows instead of waiting, so no task is handed out twice and nobody queues.
//
// Which tasks: reyestr_claimable_tasks (prisma/migrations/20261204153000_claimable_task_ids), a function so that it
// is planned with sorting off — the ordered scan of the PENDING-only claim index, whatever the statistics say (a
// queue filled faster than autovacuum analyses it made PostgreSQL sort every pending row at every claim). The
// scalar sub-select (cast, so ANY reads it as an array) runs it once, as the UPDATE's one-time input.
//
// It also checks that the client may claim (exists, not disabled, not paused, registered with the caller's key
// unless the caller is an admin: `ownerKeyId` null) and locks its row until commit (FOR KEY SHARE: lease_holder_id
// has no foreign key, migration 20261205230000_lease_holder_without_foreign_key; a concurrent DELETE of the client
// waits for the claim, or the claim for the DELETE and then claims nothing), and reads the pauses — the whole queue
// (gate_state) and each candidate's plan and follow — so a paused thing costs no extra round trip and no claim slips
// past one.
// The statement marks the client alive: the hot path is one round trip. When it claims nothing, the service
// looks closer to tell "no work" from "not allowed".
//
// Concurrent single claims of many clients are claimed together by claim-task-for-each.ts, from the same parts.
import { Prisma } from '../../generated/prisma/client.ts';
import type { QueryRunner } from '../database.ts';
import { inSeconds, type TaskColumns } from './task-row.ts';
import { FEW_ROWS, transitionTasks } from './transition-tasks.ts';

/** The SET list of a claim; `holder` is the SQL giving each row's new lease holder. */
export const claimSet = (holder: Prisma.Sql, leaseSeconds: number) =>
  Prisma.sql`status = 'CLAIMED', lease_holder_id = ${holder}, lease_token = gen_random_uuid(),
      lease_epoch = lease_epoch + 1, lease_expires_at = ${inSeconds(leaseSeconds)}, claimed_at = now(),
      started_at = NULL, documents_downloaded = 0, documents_failed = 0, documents_skipped = 0`;

export const CLAIM_EVENT_DATA = Prisma.sql`jsonb_build_object('epoch', moved.lease_epoch, 'leaseExpiresAt', moved.lease_expires_at)`;

/**
 * Marks alive the clients `which` names (a condition over `clients`) when they got a task. An ACTIVE client's
 * heartbeat is moved at most once a second: a worker claiming many times a second would otherwise write (and
 * WAL-log) its client row at every claim; a second is far below the silence that marks a client gone
 * (mark-silent-clients.ts).
 */
export const touchClaimers = (which: Prisma.Sql) => Prisma.sql`, touched AS (
      UPDATE clients SET last_heartbeat_at = now(), status = 'ACTIVE', updated_at = now()
      WHERE ${which} AND status <> 'DISABLED'
        AND (status <> 'ACTIVE' OR last_heartbeat_at < now() - interval '1 second'))`;

/** touchClaimers for each client that got a task. */
export const TOUCH_CLAIMERS = touchClaimers(Prisma.sql`id IN (SELECT lease_holder_id FROM moved)`);

export function claimTasks<C extends TaskColumns = 'whole'>(
  clientId: string,
  limit: number,
  leaseSeconds: number,
  ownerKeyId: string | null = null,
  columns?: C,
  tx?: QueryRunner,
) {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new Error(`claim limit must be a positive integer, not ${limit}`);
  return transitionTasks(
    {
      where: Prisma.sql`id = ANY((SELECT reyestr_claimable_tasks(${clientId}::uuid, ${ownerKeyId}::uuid, ${limit}::int))::uuid[])`,
      set: claimSet(Prisma.sql`${clientId}::uuid`, leaseSeconds),
      event: 'CLAIMED',
      clientId,
      asJson: limit <= FEW_ROWS,
      eventData: CLAIM_EVENT_DATA,
      // the one claimer by its key, if it got a task: not a join of every changed row with the clients
      alsoCtes: touchClaimers(Prisma.sql`id = ${clientId}::uuid AND EXISTS (SELECT FROM moved)`),
      columns,
    },
    tx,
  );
}
