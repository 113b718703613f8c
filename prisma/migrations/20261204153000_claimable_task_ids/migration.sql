-- Hand-written (functions are invisible to the drift check). The claim's choice of tasks split from the claimer's
-- right to claim, so that one statement can claim for several clients at once (server/db/sql/claim-task-for-each.ts:
-- the gate coalesces concurrent single claims) without a second copy of the pause rules.
--
-- reyestr_claimable_task_ids: up to `how_many` runnable tasks, locked (SKIP LOCKED), in claim order, honouring the
-- pauses of the whole queue (gate_state) and of each candidate's plan and follow. Planned with sorting off, for the
-- reason given in 20261202210100_claim_order_without_statistics: the ordered scan of tasks_claim_order_idx is then
-- the one plan left, whatever the statistics.
CREATE FUNCTION reyestr_claimable_task_ids(how_many integer) RETURNS uuid[]
LANGUAGE plpgsql VOLATILE
SET enable_sort = off
AS $$
BEGIN
  RETURN ARRAY(
    SELECT t.id FROM tasks t
    WHERE t.status = 'PENDING' AND t.run_at <= now()
      AND NOT EXISTS (SELECT 1 FROM gate_state WHERE queue_paused)
      AND (t.plan_id IS NULL OR NOT EXISTS (SELECT 1 FROM plans p WHERE p.id = t.plan_id AND p.paused))
      AND (t.follow_id IS NULL OR NOT EXISTS (SELECT 1 FROM follows f WHERE f.id = t.follow_id AND f.paused))
    ORDER BY t.priority DESC, t.run_at, t.created_at
    LIMIT how_many
    FOR UPDATE OF t SKIP LOCKED);
END
$$;

-- reyestr_claimable_task_ids for one claimer, if it may claim: it exists, is not disabled or paused, and is
-- registered with the caller's key unless `owner_key` is null (an admin).
CREATE OR REPLACE FUNCTION reyestr_claimable_tasks(claimer uuid, owner_key uuid, how_many integer) RETURNS uuid[]
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = claimer AND c.status <> 'DISABLED' AND NOT c.paused
                 AND (owner_key IS NULL OR c.api_key_id = owner_key)) THEN
    RETURN '{}';
  END IF;
  RETURN reyestr_claimable_task_ids(how_many);
END
$$;
