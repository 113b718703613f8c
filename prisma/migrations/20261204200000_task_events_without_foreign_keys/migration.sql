-- Hand-written. The event log without foreign keys: a foreign key checks each inserted row with a query of its own
-- (SELECT 1 … FOR KEY SHARE on tasks and on clients: five per claim+complete cycle, each taking a row lock), about a
-- fifth of PostgreSQL's CPU per cycle for batches and a tenth for single claims (docs/benchmarks.md, session 11). The
-- rows need no check: every event is written by the statement that changes its task (transition-tasks.ts,
-- insert-tasks.ts), which holds the task's row lock until it commits, with the client that statement names.
--
-- What the foreign keys' actions did, statement triggers do: deleting tasks deletes their events (ON DELETE
-- CASCADE), truncating tasks empties the log, deleting clients clears the events' client_id (ON DELETE SET NULL).
-- The gate itself deletes neither; an operator's SQL may.
ALTER TABLE "task_events" DROP CONSTRAINT "task_events_task_id_fkey";
ALTER TABLE "task_events" DROP CONSTRAINT "task_events_client_id_fkey";

CREATE FUNCTION reyestr_delete_events_of_deleted_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM task_events WHERE task_id IN (SELECT id FROM deleted_tasks);
  RETURN NULL;
END
$$;
CREATE TRIGGER tasks_delete_events AFTER DELETE ON tasks
  REFERENCING OLD TABLE AS deleted_tasks FOR EACH STATEMENT EXECUTE FUNCTION reyestr_delete_events_of_deleted_tasks();

-- DELETE, not TRUNCATE: `TRUNCATE tasks, task_events` empties both in one command, which a TRUNCATE here would refuse
CREATE FUNCTION reyestr_truncate_events_of_truncated_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM task_events;
  RETURN NULL;
END
$$;
CREATE TRIGGER tasks_truncate_events AFTER TRUNCATE ON tasks
  FOR EACH STATEMENT EXECUTE FUNCTION reyestr_truncate_events_of_truncated_tasks();

CREATE FUNCTION reyestr_unlink_events_of_deleted_clients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE task_events SET client_id = NULL WHERE client_id IN (SELECT id FROM deleted_clients);
  RETURN NULL;
END
$$;
CREATE TRIGGER clients_unlink_events AFTER DELETE ON clients
  REFERENCING OLD TABLE AS deleted_clients FOR EACH STATEMENT EXECUTE FUNCTION reyestr_unlink_events_of_deleted_clients();
