// Statements of planning: store a plan, complete a PLAN task (fenced by its lease token, in the
// caller's transaction together with inserting its children), and read what a plan's windows became.
import { Prisma } from '../../generated/prisma/client.ts';
import { prisma } from '../database.ts';
import { LEASED, type TaskRow } from './task-row.ts';
import { transitionTasks } from './transition-tasks.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

export interface NewPlan {
  searchParams: unknown;
  dateFrom: string;
  dateTo: string;
  window: string | null;
  options: unknown;
  priority: number;
  dedupKey: string;
}

/** Inserts a plan unless one with the same dedup key exists; returns the new row's id, or nothing. */
export async function insertPlan(plan: NewPlan, db: Db = prisma): Promise<string | null> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    INSERT INTO plans (search_params, date_from, date_to, "window", options, priority, dedup_key)
    VALUES (${JSON.stringify(plan.searchParams)}::jsonb, ${plan.dateFrom}, ${plan.dateTo}, ${plan.window},
      ${JSON.stringify(plan.options)}::jsonb, ${plan.priority}, ${plan.dedupKey})
    ON CONFLICT (dedup_key) DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

/** Gives PLAN tasks just inserted the rules of their plan. */
export function setPlanOptions(taskIds: string[], options: unknown, db: Db = prisma) {
  return db.$queryRaw`UPDATE tasks SET plan_options = ${JSON.stringify(options)}::jsonb WHERE id = ANY(${taskIds}::uuid[]) RETURNING id`;
}

export interface PlanCompletion {
  taskId: string;
  leaseToken: string;
  total: number;
  resultSummary: unknown;
  completionHash: string;
}

/** PLAN task → COMPLETED with its window's total, an event, and the worker credited (no documents). */
export function completePlanTask(c: PlanCompletion, db: Db = prisma) {
  return transitionTasks(
    {
      where: Prisma.sql`id = ${c.taskId}::uuid AND lease_token = ${c.leaseToken}::uuid AND status IN ${LEASED}`,
      set: Prisma.sql`status = 'COMPLETED', completed_at = now(), started_at = coalesce(started_at, claimed_at),
        lease_expires_at = NULL, total_expected = ${c.total}, result_summary = ${JSON.stringify(c.resultSummary)}::jsonb,
        completion_hash = ${c.completionHash}`,
      event: 'COMPLETED',
      eventData: Prisma.sql`moved.result_summary - 'children'`,
      alsoCtes: Prisma.sql`, credited AS (
        UPDATE clients SET tasks_completed = clients.tasks_completed + 1, updated_at = now()
        FROM moved WHERE clients.id = moved.lease_holder_id)`,
    },
    db,
  );
}

export interface KeyedTask {
  id: string;
  dedupKey: string;
  kind: 'PLAN' | 'DOWNLOAD';
  status: TaskRow['status'];
  totalExpected: number | null;
  resultSummary: unknown;
  documentsDownloaded: number;
}

/** Tasks by dedup key (a plan's windows, level by level). */
export function tasksByKeys(keys: string[], db: Db = prisma) {
  return db.$queryRaw<KeyedTask[]>`
    SELECT id, dedup_key AS "dedupKey", kind, status, total_expected AS "totalExpected", result_summary AS "resultSummary",
      documents_downloaded AS "documentsDownloaded"
    FROM tasks WHERE dedup_key = ANY(${keys}::text[])`;
}

export interface ChunkCounts {
  group: number;
  status: TaskRow['status'];
  tasks: number;
  /** documents stored (in the document store) by these tasks, over all their attempts */
  downloaded: number;
  /** documents completed tasks skipped as stored by another task */
  skipped: number;
}

/**
 * DOWNLOAD tasks by dedup key, counted per group (a window) and status. `downloaded` counts stored documents,
 * not the tasks' counters: those restart with each attempt, so a task that stored 40 documents, failed and then
 * stored the other 60 reports 60. The last attempt of a completed task counted as skipped both what it had stored
 * itself in earlier attempts (stored before its last claim) and what another task stored: only the latter is
 * `skipped`.
 */
export function countTasksByKeyGroups(keys: string[], groups: number[], db: Db = prisma) {
  return db.$queryRaw<ChunkCounts[]>`
    SELECT k.grp AS "group", t.status, count(*)::int AS tasks, coalesce(sum(d.stored), 0)::int AS downloaded,
      coalesce(sum(greatest(t.documents_skipped - d.earlier, 0)) FILTER (WHERE t.status = 'COMPLETED'), 0)::int AS skipped
    FROM unnest(${keys}::text[], ${groups}::int[]) AS k(key, grp)
    JOIN tasks t ON t.dedup_key = k.key
    CROSS JOIN LATERAL (
      SELECT count(*) AS stored, count(*) FILTER (WHERE doc.stored_at < t.claimed_at) AS earlier
      FROM documents doc WHERE doc.task_id = t.id AND doc.stored_at IS NOT NULL) d
    GROUP BY k.grp, t.status`;
}
