-- Hand-written (the schema engine here cannot describe partial indexes; schema.prisma names them in comments).
-- Every claim and completion changes indexed columns of its task row, so PostgreSQL writes a new entry into
-- every index on `tasks` whose predicate the new row version meets: nine indexes before this migration, most
-- of them over columns that are null for the task's state (or for every task of no plan/follow). Each index
-- below now holds only the rows its readers look for, so a state change writes into the ones that apply:
-- a claim into the primary key, lease expiry, lease holder and dedup key; a completion into the primary key,
-- lease holder and dedup key (plus plan/follow/parent for tasks that have them).
--
-- The claim's order: only PENDING rows are ever claimed (server/db/sql/claim-tasks.ts). Made partial, it is
-- also the only index that answers `status = 'PENDING'`, so the claim's ordered index scan no longer depends
-- on the planner's statistics of `status` (a freshly filled queue has none: it sorted every pending row).
DROP INDEX "tasks_claim_order_idx";
CREATE INDEX "tasks_claim_order_idx" ON "tasks" ("priority" DESC, "run_at", "created_at") WHERE "status" = 'PENDING';

-- Leased tasks only (the sweeper's `lease_expires_at < now()`); a completion, release or expiry clears it.
DROP INDEX "tasks_lease_expires_at_idx";
CREATE INDEX "tasks_lease_expires_at_idx" ON "tasks" ("lease_expires_at") WHERE "lease_expires_at" IS NOT NULL;

-- `col = $1` implies `col IS NOT NULL`, so every equality look-up (and the foreign keys' ON DELETE SET NULL
-- scans) still uses these; tasks never claimed, or of no parent/plan/follow, are left out.
DROP INDEX "tasks_lease_holder_id_idx";
CREATE INDEX "tasks_lease_holder_id_idx" ON "tasks" ("lease_holder_id") WHERE "lease_holder_id" IS NOT NULL;
DROP INDEX "tasks_parent_id_idx";
CREATE INDEX "tasks_parent_id_idx" ON "tasks" ("parent_id") WHERE "parent_id" IS NOT NULL;
DROP INDEX "tasks_plan_id_idx";
CREATE INDEX "tasks_plan_id_idx" ON "tasks" ("plan_id") WHERE "plan_id" IS NOT NULL;
DROP INDEX "tasks_follow_id_idx";
CREATE INDEX "tasks_follow_id_idx" ON "tasks" ("follow_id") WHERE "follow_id" IS NOT NULL;

-- The task list's error-class filter (server/services/tasks.ts): only tasks that failed at least once have one.
DROP INDEX "tasks_status_last_error_class_idx";
CREATE INDEX "tasks_status_last_error_class_idx" ON "tasks" ("status", "last_error_class") WHERE "last_error_class" IS NOT NULL;
