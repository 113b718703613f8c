-- Hand-written: behaviour that schema.prisma cannot describe (functions and triggers are invisible to the
-- drift check, which compares tables, columns, indexes and enums only).
--
-- 1. Every insert into task_events first takes a transaction-scoped advisory lock, held until commit.
--    Sequence values are therefore handed out in commit order: a reader that has seen seq N can never
--    later see a smaller seq commit, so "replay everything after seq N" (subscriptions' afterSeq, the
--    event pump of every gate) has no gaps. The lock is taken as the last step of a state change, so it
--    is held only for the event insert and the commit.
-- 2. After the insert, NOTIFY reyestr_task_events. PostgreSQL delivers it on commit, to every gate that
--    listens (several gates on one database), and folds repeats within a transaction into one.
CREATE OR REPLACE FUNCTION reyestr_task_events_serialize() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7250002);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION reyestr_task_events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('reyestr_task_events', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER task_events_serialize BEFORE INSERT ON "task_events"
  FOR EACH STATEMENT EXECUTE FUNCTION reyestr_task_events_serialize();

CREATE TRIGGER task_events_notify AFTER INSERT ON "task_events"
  FOR EACH STATEMENT EXECUTE FUNCTION reyestr_task_events_notify();
