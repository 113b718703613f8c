// Who may store a decision's content. Admins may store any. A worker key may store the documents of tasks
// leased to its workers — now, or earlier: a decision fetched under a lease that was lost since (the worker
// was stopped past its lease, the gate went away) is still a fact, so content does not need the current lease
// token, while everything that changes a task (progress, completion) still does. That is safe because content
// changes no task state, is checked against its own sha256 and size, is keyed by the registry's id, and a
// stored version is never replaced: the worst a late worker can do is deliver a decision the gate lacked.
import type { UploadChecks } from '../db/sql/upload-checks.ts';
import type { Actor } from './actor.ts';
import { requireActingFor } from './clients.ts';

export interface Refusal {
  code: 'FORBIDDEN' | 'NOT_FOUND';
  reason: string;
}

/**
 * Per task id (or '' for no task): why the caller may not store documents for it, or null when it may. `checks`:
 * which of the tasks exist and were leased to the caller's key (db/sql/upload-checks.ts).
 */
export function contentWriteRefusals(
  actor: Actor,
  taskIds: Array<string | null | undefined>,
  checks: Pick<UploadChecks, 'existing' | 'leased'>,
): Map<string, Refusal | null> {
  const wanted = [...new Set(taskIds.map((id) => id ?? ''))];
  const anyTask = actor.role === 'ADMIN' || !actor.keyId;
  const refusals = new Map<string, Refusal | null>();
  for (const id of wanted) {
    if (!id)
      refusals.set(
        id,
        actor.role === 'ADMIN'
          ? null
          : { code: 'FORBIDDEN', reason: 'a worker key stores documents only for a task it was leased (give taskId)' },
      );
    else if (!checks.existing.has(id)) refusals.set(id, { code: 'NOT_FOUND', reason: `task ${id} not found` });
    else if (!anyTask && !checks.leased.has(id))
      refusals.set(id, { code: 'FORBIDDEN', reason: `task ${id} was never leased to a worker of this key` });
    else refusals.set(id, null);
  }
  return refusals;
}

/** The client the documents are attributed to: one the caller may act for (`client`: its row), or none. */
export function writingClient(
  actor: Actor,
  clientId: string | null | undefined,
  client: UploadChecks['client'],
): string | null {
  if (!clientId) return null;
  requireActingFor(actor, clientId, client);
  return client.id;
}
