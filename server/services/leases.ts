// The lease life cycle as workers drive it: claim → heartbeat / progress → complete or fail (or release).
// Every write by a holder is fenced by its lease token: a stale or foreign token changes nothing and gets
// LEASE_LOST. The SQL for each step lives in server/db/sql; the decisions live here.
import { z } from 'zod';
import { prisma } from '../db/database.ts';
import { claimTasks as claimTasksSql } from '../db/sql/claim-tasks.ts';
import { completeTasks as completeTasksSql, type Completion } from '../db/sql/complete-task.ts';
import { releaseTasks as releaseTasksSql, sweepExpiredLeases } from '../db/sql/end-leases.ts';
import { extendLeases } from '../db/sql/extend-leases.ts';
import { lockLeasedTask } from '../db/sql/lock-leased-task.ts';
import { failTask as failTaskSql, type FailureOutcome } from '../db/sql/fail-task.ts';
import { MAX_LOG_LINES, reportProgress as reportProgressSql } from '../db/sql/report-progress.ts';
import { taskById } from '../db/sql/task-by-id.ts';
import type { CountedRow, LeaseTokenRow, SingleColumns, TaskColumns, TaskRow, TaskRowOf } from '../db/sql/task-row.ts';
import { ErrorClass } from '../generated/prisma/enums.ts';
import { requireActor, requireAdmin, type Actor } from './actor.ts';
import { clientActingFor, touchClient } from './clients.ts';
import {
  type completionInput,
  count,
  countOr0,
  heldCompletionInput,
  parseCompletion,
  parseCompletions,
  toCompletion,
} from './completion-input.ts';
import { GateError, orDefault, parseInput } from './errors.ts';
import { claimOneTask, completeOneHeldTask, completeOneTask } from './lease-batches.ts';
import { leaseLostOn } from './lease-lost.ts';
import { reportOutcome } from './outcomes.ts';
import { NON_BURNING_CLASSES, policy, retryDelaySeconds } from './policy.ts';
import { idSchema } from './ids.ts';
import { MAX_CLAIM_BATCH } from './task-input.ts';

export interface Lease<T extends LeaseRow = TaskRow> {
  task: T;
  leaseToken: string;
  leaseEpoch: number;
  leaseExpiresAt: Date;
}

/** A row a lease is made of: a 'leaseToken' row has no epoch and no expiry (its caller reads neither). */
export type LeaseRow = LeaseTokenRow & Partial<Pick<TaskRow, 'leaseEpoch' | 'leaseExpiresAt'>>;

const toLease = <T extends LeaseRow>(task: T): Lease<T> => ({
  task,
  leaseToken: task.leaseToken!,
  leaseEpoch: task.leaseEpoch!,
  leaseExpiresAt: task.leaseExpiresAt!,
});

export { MAX_LOG_LINES };
/** failed decisions one progress report may carry */
export const MAX_FAILED_PER_REPORT = 200;
/** a log line longer than this is cut */
export const MAX_LOG_LINE_CHARS = 500;
const heldLease = z.object({ taskId: idSchema, leaseToken: idSchema });
// Schemas are built once, at load: zod compiles an object schema's parser (new Function) on its first parse, so a
// schema built per call paid that compile on every claim and completion.
const claimInput = z.object({ clientId: idSchema, limit: z.number().int().min(1).max(MAX_CLAIM_BATCH).nullish() });
const heartbeatInput = z.object({ clientId: idSchema, taskIds: z.array(idSchema).max(MAX_CLAIM_BATCH).nullish() });
const releaseInput = z.object({ leases: z.array(heldLease).min(1).max(MAX_CLAIM_BATCH) });

/** Leases up to `limit` tasks; with `columns` other than 'whole' the tasks come back as those columns only. */
export async function claimTasks<
  C extends Extract<TaskColumns, 'whole' | 'keyAndInput' | 'key' | 'leaseToken'> = 'whole',
>(
  actor: Actor | null,
  input: { clientId: string; limit?: number | null },
  columns?: C,
): Promise<Lease<TaskRowOf<C>>[]> {
  const { clientId, limit } = parseInput(claimInput, input);
  const caller = requireActor(actor);
  const ownerKeyId = caller.role === 'ADMIN' ? null : caller.keyId;
  let rows: TaskRowOf<C>[];
  if (limit && limit > 1) rows = await claimTasksSql(clientId, limit, policy.leaseSeconds, ownerKeyId, columns);
  else {
    // one task: coalesced with the other single claims that arrive meanwhile (lease-batches.ts)
    // (a key row holds the token too)
    const one = await claimOneTask(
      { clientId, ownerKeyId },
      policy.leaseSeconds,
      (columns === 'leaseToken' ? 'key' : columns) as SingleColumns | undefined,
    );
    rows = one ? [one as TaskRowOf<C>] : [];
  }
  if (rows.length) {
    reportOutcome({ type: 'claimed', count: rows.length });
    return rows.map(toLease);
  }
  // Nothing claimed: no work, or this caller may not claim for that client (which must be said).
  await clientActingFor(caller, clientId);
  await touchClient(clientId);
  return [];
}

/**
 * One heartbeat covers a worker's leases. With `taskIds` (what the worker is running) only those are
 * extended, and those it no longer holds come back as revoked; without, every lease it holds is extended
 * (the older REST clients).
 */
export async function heartbeat(actor: Actor | null, input: { clientId: string; taskIds?: string[] | null }) {
  const { clientId, taskIds } = parseInput(heartbeatInput, input);
  await clientActingFor(requireActor(actor), clientId);
  await touchClient(clientId);
  const held = await extendLeases(clientId, policy.leaseSeconds, taskIds ?? undefined);
  const heldIds = new Set(held.map((h) => h.id));
  return {
    leases: held,
    revokedTaskIds: (taskIds ?? []).filter((id) => !heldIds.has(id)),
    leaseSeconds: policy.leaseSeconds,
  };
}

const progressInput = z.object({
  taskId: idSchema,
  leaseToken: idSchema,
  documentsDownloaded: count,
  documentsFailed: countOr0,
  documentsSkipped: countOr0,
  totalExpected: count.nullish(),
  documentId: z.string().max(100).nullish(),
  /** decisions that failed since the last report, with their reasons */
  failedDocuments: z
    .array(
      z.object({
        documentId: z.string().trim().min(1).max(100),
        errorClass: z.enum(ErrorClass),
        message: z
          .string()
          .trim()
          .min(1)
          .transform((m) => m.slice(0, 2000)),
        courtName: z.string().max(500).nullish(),
        adoptedOn: z.string().max(20).nullish(),
      }),
    )
    .max(MAX_FAILED_PER_REPORT)
    .nullish()
    // one row per decision: the last report of it wins (an upsert may not touch a row twice)
    .transform((list) => (list ? [...new Map(list.map((f) => [f.documentId, f])).values()] : list)),
  /** the worker's newest log lines (each cut to MAX_LOG_LINE_CHARS); the gate keeps the last MAX_LOG_LINES per lease */
  logLines: z
    .array(z.string().transform((line) => line.slice(0, MAX_LOG_LINE_CHARS)))
    .max(MAX_LOG_LINES)
    .nullish(),
});

export async function reportProgress(actor: Actor | null, input: z.input<typeof progressInput>): Promise<Lease> {
  requireActor(actor);
  const p = parseInput(progressInput, input);
  const [row] = await reportProgressSql(p.taskId, p.leaseToken, p, policy.leaseSeconds);
  if (!row) throw await leaseLostOn(p.taskId);
  return toLease(row);
}

/**
 * Completes a leased task. The same token and body again returns the same answer and counts nothing twice. With
 * `columns` other than 'whole' the task may come back with those columns only (a repeat: the whole row).
 */
export async function completeTask<C extends SingleColumns = 'whole'>(
  actor: Actor | null,
  input: z.input<typeof completionInput>,
  columns?: C,
): Promise<TaskRowOf<C>> {
  requireActor(actor);
  const completion = parseCompletion(input);
  const row = await completeOneTask(completion, columns);
  if (row) {
    reportOutcome({ type: 'completed', count: 1, documentsDownloaded: row.documentsDownloaded });
    return row;
  }
  // a repeat is answered with the whole row, which holds every choice of columns
  return (await repeatedCompletion(completion)) as TaskRowOf<C>;
}

/**
 * Completes `taskId` if `holderId` holds its lease now (clients that do not keep their token). Null when that
 * changed nothing — not held by it, or finished already — and the caller looks closer (a repeat, a lost lease).
 * `columns` as completeTask's.
 */
export async function completeHeldTask<C extends SingleColumns = 'whole'>(
  actor: Actor | null,
  holderId: string,
  input: Omit<z.input<typeof completionInput>, 'leaseToken'>,
  columns?: C,
): Promise<TaskRowOf<C> | null> {
  requireActor(actor);
  const completion = toCompletion(parseInput(heldCompletionInput, input));
  const row = await completeOneHeldTask({ ...completion, holderId }, columns);
  if (row) reportOutcome({ type: 'completed', count: 1, documentsDownloaded: row.documentsDownloaded });
  return row ?? null;
}

export type CompletionResult<T extends CountedRow = TaskRow> =
  | { taskId: string; task: T; error?: undefined }
  | { taskId: string; task?: undefined; error: GateError };

/**
 * Completes many leased tasks in one statement; each answers on its own (a lost lease fails only its item). With
 * `columns` 'key' or 'counted' the completed tasks come back as those columns only.
 */
export async function completeTasks<C extends Extract<TaskColumns, 'whole' | 'key' | 'counted'> = 'whole'>(
  actor: Actor | null,
  inputs: z.input<typeof completionInput>[],
  columns?: C,
): Promise<CompletionResult<TaskRowOf<C>>[]> {
  requireActor(actor);
  const completions = parseCompletions(inputs);
  const rows = await completeTasksSql(completions, columns);
  if (rows.length) {
    let documents = 0;
    for (const row of rows) documents += row.documentsDownloaded;
    reportOutcome({ type: 'completed', count: rows.length, documentsDownloaded: documents });
  }
  const done = new Map(rows.map((row) => [row.id, row]));
  // The usual batch, every item completed: answered at once, without a promise per item.
  if (completions.every((c) => done.has(c.taskId))) {
    return completions.map((c) => ({ taskId: c.taskId, task: done.get(c.taskId)! }));
  }
  return Promise.all(
    completions.map(async (c): Promise<CompletionResult<TaskRowOf<C>>> => {
      const row = done.get(c.taskId);
      if (row) return { taskId: c.taskId, task: row };
      try {
        // a repeat is answered with the whole row, which is a key row too
        return { taskId: c.taskId, task: (await repeatedCompletion(c)) as TaskRowOf<C> };
      } catch (error) {
        if (error instanceof GateError) return { taskId: c.taskId, error };
        throw error;
      }
    }),
  );
}

/** A completion that changed nothing: a repeat of the one that finished the task, a conflicting one, or a lost lease. */
async function repeatedCompletion(c: Completion): Promise<TaskRow> {
  const task = await taskById(c.taskId);
  if (task?.status === 'COMPLETED' && task.leaseToken === c.leaseToken) {
    if (task.completionHash === c.completionHash) return task;
    throw new GateError('CONFLICT', `task ${c.taskId} was already completed with different results`);
  }
  throw await leaseLostOn(c.taskId, task);
}

const failureInput = z.object({
  taskId: idSchema,
  leaseToken: idSchema,
  errorClass: z.enum(ErrorClass),
  message: z.string().trim().min(1).max(4000),
  /** false: retrying cannot help (e.g. the search params are wrong) */
  retryable: orDefault(z.boolean(), true),
});

/** Decides what a failure means: retry later (backoff), give up for good, or the task is out of attempts. */
export function decideAfterFailure(
  task: Pick<TaskRow, 'attempts' | 'maxAttempts'>,
  f: { errorClass: ErrorClass; message: string; retryable: boolean },
): FailureOutcome {
  const burns = !NON_BURNING_CLASSES.has(f.errorClass);
  const attempts = task.attempts + (burns ? 1 : 0);
  const status = !f.retryable ? 'FAILED' : attempts >= task.maxAttempts ? 'DEAD' : 'PENDING';
  // Not burning an attempt is no licence to hammer the registry: back off as if it had been the next one.
  const retryInSeconds = status === 'PENDING' ? retryDelaySeconds(burns ? attempts : attempts + 1) : 0;
  return { status, attempts, retryInSeconds, errorClass: f.errorClass, message: f.message };
}

export async function failTask(actor: Actor | null, input: z.input<typeof failureInput>): Promise<TaskRow> {
  requireActor(actor);
  const f = parseInput(failureInput, input);
  const row = await prisma.$transaction(async (tx) => {
    const task = await lockLeasedTask(f.taskId, f.leaseToken, tx);
    if (!task) return undefined;
    const [failed] = await failTaskSql(f.taskId, f.leaseToken, decideAfterFailure(task, f), tx);
    return failed;
  });
  if (!row) throw await leaseLostOn(f.taskId);
  reportOutcome({ type: 'failed', errorClass: f.errorClass, status: row.status });
  if (row.status !== 'PENDING' && row.leaseHolderId) {
    await prisma.client.update({ where: { id: row.leaseHolderId }, data: { tasksFailed: { increment: 1 } } });
  }
  return row;
}

/** The holder hands tasks back (e.g. shutting down): claimable again at once, no attempt used. */
export async function releaseTasks(
  actor: Actor | null,
  input: { leases: Array<{ taskId: string; leaseToken: string }> },
) {
  requireActor(actor);
  const { leases } = parseInput(releaseInput, input);
  return releaseTasksSql(leases);
}

/** Requeues every expired lease (in batches); returns the tasks it moved. Run by the sweeper. */
export async function requeueExpiredLeases(batch = 500): Promise<TaskRow[]> {
  const moved: TaskRow[] = [];
  for (;;) {
    const rows = await sweepExpiredLeases(batch, policy.maxStalls);
    for (const row of rows) reportOutcome({ type: 'expired', status: row.status });
    moved.push(...rows);
    if (rows.length < batch) return moved;
  }
}

/** An operator returns expired leases to the queue now instead of waiting for the sweeper's next round. */
export async function requeueExpiredLeasesNow(actor: Actor | null): Promise<TaskRow[]> {
  requireAdmin(actor);
  return requeueExpiredLeases();
}
