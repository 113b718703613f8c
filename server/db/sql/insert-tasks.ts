// Creates many tasks and their CREATED events in one statement (bulk creation of thousands stays one round
// trip). Rows with a dedup key that already exists are skipped, which makes re-planning a window a no-op. The unique
// index on dedup_key covers only the rows that have one (migration 20261204210000), so ON CONFLICT names its predicate.
import { Prisma } from '../../generated/prisma/client.ts';
import { type QueryRunner, runIn } from '../database.ts';
import { taskEventsWritten } from '../event-writes.ts';
import { TASK_COLUMNS, type TaskRow } from './task-row.ts';

export interface NewTask {
  kind: 'DOWNLOAD' | 'PLAN';
  searchParams: Record<string, unknown>;
  startPage: number;
  maxDocuments: number;
  priority: number;
  runAt: string | null;
  maxAttempts: number;
  dedupKey: string | null;
  parentId: string | null;
  /** the plan and follow the task belongs to (pausing either stops its claims) */
  planId?: string | null;
  followId?: string | null;
}

/** Without `tx` the statement runs on the driver directly (Database.run); in a transaction, on it. */
export async function insertTasks(tasks: NewTask[], tx?: QueryRunner): Promise<TaskRow[]> {
  // Ids are the column's default (reyestr_task_id: in creation order, see its migration), made in `input`
  // so that the rows can be returned in the order they were given (`n`): created_at is the same for all of them.
  const numbered = tasks.map((task, n) => ({ ...task, n }));
  const query = Prisma.sql`
    WITH input AS MATERIALIZED (
      SELECT reyestr_task_id() AS "id", x.* FROM jsonb_to_recordset(${JSON.stringify(numbered)}::jsonb) AS x(
        "n" int, "kind" "TaskKind", "searchParams" jsonb, "startPage" int, "maxDocuments" int, "priority" int,
        "runAt" timestamptz, "maxAttempts" int, "dedupKey" text, "parentId" uuid, "planId" uuid, "followId" uuid)
    ), created AS (
      INSERT INTO tasks (id, kind, search_params, start_page, max_documents, priority, run_at, max_attempts, dedup_key, parent_id, plan_id, follow_id)
      SELECT "id", "kind", "searchParams", "startPage", "maxDocuments", "priority", coalesce("runAt", now()), "maxAttempts",
        "dedupKey", "parentId", "planId", "followId"
      FROM input ORDER BY "n"
      ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
      RETURNING *
    ), logged AS (
      INSERT INTO task_events (task_id, type, status, data)
      SELECT id, 'CREATED', status, jsonb_build_object('priority', priority) FROM created
    )
    SELECT row.* FROM (SELECT ${TASK_COLUMNS} FROM created) row JOIN input ON input."id" = row."id" ORDER BY input."n"`;
  const rows = await runIn<TaskRow>(tx, query);
  if (rows.length) taskEventsWritten();
  return rows;
}
