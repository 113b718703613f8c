// One task for each of several claims, in one statement: the gate coalesces single claims that arrive together
// (server/services/lease-batches.ts), so N workers asking at once cost PostgreSQL one statement, one commit and one
// pass over the claim index instead of N. The same parts as claim-tasks.ts: the same choice of tasks
// (reyestr_claimable_task_ids: claim order, pauses, SKIP LOCKED), the same SET, event and heartbeat.
//
// Each claim names its client and, unless the caller is an admin, the key that client must be registered with.
// Claims whose client may not claim (unknown, disabled, paused, another key's) get nothing; the others get the
// next tasks in claim order, in the order of the claims. A row comes back with its lease holder; the caller hands
// it to a claim of that client. The caller keeps one (client, key) pair per client in a statement, so all claims
// of a client in it are allowed or none is.
import { Prisma } from '../../generated/prisma/client.ts';
import type { QueryRunner } from '../database.ts';
import { CLAIM_EVENT_DATA, claimSet, TOUCH_CLAIMERS } from './claim-tasks.ts';
import type { TaskColumns } from './task-row.ts';
import { shapedStatement } from './shaped-statement.ts';
import { FEW_ROWS, returnsJson, runTransition, transitionStatement } from './transition-tasks.ts';

export interface OneClaim {
  clientId: string;
  /** null for an admin: any client; else the key the client must be registered with */
  ownerKeyId: string | null;
}

/** With `columns` 'key' the rows come back as their TaskKeyRow only (it holds the lease holder too). */
export function claimTaskForEach<C extends TaskColumns = 'whole'>(
  claims: OneClaim[],
  leaseSeconds: number,
  columns?: C,
  tx?: QueryRunner,
) {
  const values = {
    clientIds: claims.map((c) => c.clientId),
    ownerKeyIds: claims.map((c) => c.ownerKeyId),
    leaseSeconds,
  };
  const asJson = claims.length <= FEW_ROWS;
  const choice: TaskColumns = columns ?? 'whole';
  return runTransition<C>(claimStatement(values, asJson, choice), returnsJson({ asJson, columns: choice }), tx);
}

/** The statement for each choice of json rows and columns, built once (shaped-statement.ts). */
const claimStatement = shapedStatement(
  (
    v: { clientIds: string[]; ownerKeyIds: Array<string | null>; leaseSeconds: number },
    asJson: boolean,
    columns: TaskColumns,
  ) =>
    transitionStatement({
      // MATERIALIZED: the choice (which locks the tasks) runs exactly once, whatever the plan of the UPDATE. The
      // clients allowed are locked (FOR KEY SHARE, in a sub-select: not allowed beside a window function) until commit:
      // lease_holder_id has no foreign key (migration 20261205230000_lease_holder_without_foreign_key), and the lock
      // makes a concurrent DELETE of a client wait for this claim, or this claim for the DELETE.
      inputCtes: Prisma.sql`allowed AS MATERIALIZED (
        SELECT client_id, row_number() OVER (ORDER BY n) AS slot
        FROM (
          SELECT wanted.client_id, wanted.n
          FROM unnest(${v.clientIds}::uuid[], ${v.ownerKeyIds}::uuid[]) WITH ORDINALITY AS wanted(client_id, owner_key_id, n)
          JOIN clients c ON c.id = wanted.client_id
          WHERE c.status <> 'DISABLED' AND NOT c.paused AND (wanted.owner_key_id IS NULL OR c.api_key_id = wanted.owner_key_id)
          FOR KEY SHARE OF c) locked
      ), pairs AS MATERIALIZED (
        SELECT chosen.id, allowed.client_id
        FROM unnest(reyestr_claimable_task_ids((SELECT count(*)::int FROM allowed))) WITH ORDINALITY AS chosen(id, slot)
        JOIN allowed USING (slot)
      ),`,
      from: Prisma.sql`pairs`,
      where: Prisma.sql`tasks.id = pairs.id`,
      set: claimSet(Prisma.sql`pairs.client_id`, v.leaseSeconds),
      event: 'CLAIMED',
      asJson,
      eventData: CLAIM_EVENT_DATA,
      alsoCtes: TOUCH_CLAIMERS,
      columns,
    }),
);
