-- Hand-written (the drift check does not see an index's predicate). tasks_dedup_key_key covers only the tasks that
-- have a key (planned tasks): a task without one no longer puts a NULL entry into it at every state change (a claim
-- and a completion each write a new row version, and every index without a predicate that excludes the row takes
-- an entry). PostgreSQL's backend CPU per task for batches of 50 -8-13 % (docs/benchmarks.md, session 11).
-- Uniqueness is the same: NULL keys never conflicted. insert-tasks.ts names the predicate in its ON CONFLICT.
DROP INDEX "tasks_dedup_key_key";
CREATE UNIQUE INDEX "tasks_dedup_key_key" ON "tasks"("dedup_key") WHERE "dedup_key" IS NOT NULL;
