-- Hand-written. tasks.lease_holder_id without its foreign key to clients: a claim changes the holder of every row it
-- claims, and the key checked each one with a query of its own (SELECT 1 FROM clients … FOR KEY SHARE), 7.8 % of
-- the PostgreSQL backends' CPU in batches of claimTasks(50) + completeTasks(50) (perf, docs/benchmarks.md,
-- session 13). The check is needed once per statement, not per row: only the claims set a holder
-- (server/db/sql/claim-tasks.ts, claim-task-for-each.ts), each already checks that its client exists and is not
-- disabled, and now locks that client's row (FOR KEY SHARE, as the key's check did) while it does, so a concurrent
-- DELETE of the client waits for the claim to commit and the claim for the DELETE (then claiming nothing).
--
-- What the key's action did (ON DELETE SET NULL), a statement trigger does. ON UPDATE CASCADE is not kept: a
-- client's id never changes.
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_lease_holder_id_fkey";

CREATE OR REPLACE FUNCTION reyestr_claimable_tasks(claimer uuid, owner_key uuid, how_many integer) RETURNS uuid[]
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM FROM clients c WHERE c.id = claimer AND c.status <> 'DISABLED' AND NOT c.paused
    AND (owner_key IS NULL OR c.api_key_id = owner_key)
    FOR KEY SHARE;
  IF NOT FOUND THEN
    RETURN '{}';
  END IF;
  RETURN reyestr_claimable_task_ids(how_many);
END
$$;

CREATE FUNCTION reyestr_unlink_tasks_of_deleted_clients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tasks SET lease_holder_id = NULL WHERE lease_holder_id IN (SELECT id FROM deleted_clients);
  RETURN NULL;
END
$$;
CREATE TRIGGER clients_unlink_tasks AFTER DELETE ON clients
  REFERENCING OLD TABLE AS deleted_clients FOR EACH STATEMENT EXECUTE FUNCTION reyestr_unlink_tasks_of_deleted_clients();
