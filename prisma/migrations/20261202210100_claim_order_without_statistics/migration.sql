-- Hand-written (functions are invisible to the drift check). The claim's choice of tasks, in a function of its
-- own so that it can be planned with sorting switched off: the one plan left is the ordered scan of the partial
-- index tasks_claim_order_idx, which stops after `how_many` unlocked rows.
--
-- Why: the planner picks between that scan and "find every pending row, sort them all, take the first N" by its
-- estimate of how many rows are pending. A queue filled faster than autovacuum analyses it (a new database, a
-- plan that just expanded, the benchmarks' seeding) has no or old statistics for `status`: PostgreSQL then
-- guesses a few dozen pending rows and sorts — with FOR UPDATE between LIMIT and the sort it cannot keep only
-- the top N, so each claim sorted every pending task (60,000 rows: 70–160 ms and a spill to disk, per claim).
-- With sorting off the choice no longer depends on statistics, and a generic plan (an unknown `how_many`) is
-- the same index scan, so the limit is bound like any other value.
--
-- The pauses and the claimer's right to claim are read here, in the same statement as before
-- (server/db/sql/claim-tasks.ts calls it from its UPDATE): the whole queue (gate_state), the client itself
-- (status, paused, and its key unless `owner_key` is null: an admin), each candidate's plan and follow.
CREATE FUNCTION reyestr_claimable_tasks(claimer uuid, owner_key uuid, how_many integer) RETURNS uuid[]
LANGUAGE plpgsql VOLATILE
SET enable_sort = off
AS $$
BEGIN
  RETURN ARRAY(
    SELECT t.id FROM tasks t
    WHERE t.status = 'PENDING' AND t.run_at <= now()
      AND EXISTS (SELECT 1 FROM clients c WHERE c.id = claimer AND c.status <> 'DISABLED' AND NOT c.paused
                  AND (owner_key IS NULL OR c.api_key_id = owner_key))
      AND NOT EXISTS (SELECT 1 FROM gate_state WHERE queue_paused)
      AND (t.plan_id IS NULL OR NOT EXISTS (SELECT 1 FROM plans p WHERE p.id = t.plan_id AND p.paused))
      AND (t.follow_id IS NULL OR NOT EXISTS (SELECT 1 FROM follows f WHERE f.id = t.follow_id AND f.paused))
    ORDER BY t.priority DESC, t.run_at, t.created_at
    LIMIT how_many
    FOR UPDATE OF t SKIP LOCKED);
END
$$;
