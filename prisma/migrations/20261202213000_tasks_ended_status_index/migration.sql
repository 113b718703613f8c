-- Hand-written (partial index). 20261202210000_tasks_partial_indexes kept (status, last_error_class) only where an
-- error class is set, which the planner cannot prove from `status IN ('FAILED', 'DEAD')`: the task list's status
-- filter and the bulk actions' counts (server/services/tasks.ts, task-bulk.ts) would have read the whole table.
-- It now holds the tasks that ended without completing, the ones those filters look for; a claim or a completion
-- still writes nothing into it (PENDING rows are in the claim index, leased ones in the lease indexes).
DROP INDEX "tasks_status_last_error_class_idx";
CREATE INDEX "tasks_status_last_error_class_idx" ON "tasks" ("status", "last_error_class")
  WHERE "status" IN ('FAILED', 'DEAD', 'CANCELLED');
