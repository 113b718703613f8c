-- Hand-written (functions and triggers are invisible to the drift check). The task event log stops
-- serialising commits; docs/event-log.md has the whole argument.
--
-- Before: every insert into task_events took one global advisory lock held to commit, and NOTIFYed from a
-- trigger (NOTIFY takes a database-wide lock at commit, too). So seq order was commit order, at the price of
-- writers committing one at a time. Now writers run side by side, seq values may commit out of order, and
-- readers stop at a horizon below which nothing can still appear (reyestr_event_checkpoint). The gate that
-- wrote events NOTIFYs the others itself, after its statement, outside the writing transaction.
DROP TRIGGER IF EXISTS task_events_serialize ON "task_events";
DROP TRIGGER IF EXISTS task_events_notify ON "task_events";
DROP FUNCTION IF EXISTS reyestr_task_events_serialize();
DROP FUNCTION IF EXISTS reyestr_task_events_notify();

-- 1. A transaction has its xid before it draws a seq: a statement-level BEFORE trigger runs before any row of
--    the INSERT is formed (and so before the seq default is evaluated), and pg_current_xact_id() assigns the
--    xid if the transaction has none yet (a state change's UPDATE usually assigned it already).
CREATE FUNCTION reyestr_task_events_xid_first() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_current_xact_id();
  RETURN NULL;
END
$$;

CREATE TRIGGER task_events_xid_first BEFORE INSERT ON "task_events"
  FOR EACH STATEMENT EXECUTE FUNCTION reyestr_task_events_xid_first();

-- 2. A reader's checkpoint, in this order: (a) last_seq, the highest seq handed out so far; (b) bound, a fresh
--    xid of the reader's own — larger than the xid of every transaction that drew a seq <= last_seq, since
--    those xids were assigned before (a); (c) oldest_running, taken after (b): the oldest xid of a transaction
--    of this database still running (bound when none older runs). Once some checkpoint's oldest_running >= an
--    earlier (or its own) bound, every transaction that drew a seq <= that last_seq has ended, so the events up
--    to it are final: a reader may deliver them and move past any seq below that is missing (rolled back).
--    (c) looks at the whole cluster first (the snapshot's xmin: cheap, and enough when nothing older runs
--    anywhere), then only at this database's sessions (pg_stat_activity, prepared transactions): xids are
--    cluster-wide, and another database's long transaction must not hold this log back.
--
--    reyestr_read_events takes that checkpoint, confirms it and the caller's earlier unconfirmed ones
--    (waiting_seqs/waiting_bounds), and returns the new horizon (every seq <= it final) with the events in
--    (after, horizon], at most `page` — one round trip per read. When nothing was drawn beyond `known` (the
--    horizon the caller has) it assigns no xid. `announce`: a gate that has just written events NOTIFYs the
--    other gates in the same call (the payload, its id, lets it skip its own); the call writes nothing, so its
--    commit (and NOTIFY's lock with it) is not flushed to disk.
CREATE FUNCTION reyestr_read_events(
  after bigint, known bigint, waiting_seqs bigint[], waiting_bounds xid8[], announce text, page integer)
RETURNS TABLE (last_seq bigint, bound xid8, oldest_running xid8, horizon bigint, events json)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  behind integer;
BEGIN
  IF announce IS NOT NULL THEN
    PERFORM pg_notify('reyestr_task_events', announce);
  END IF;
  last_seq := coalesce(pg_sequence_last_value('task_events_seq_seq'::regclass), 0);
  horizon := known;
  IF last_seq > known THEN
    bound := pg_current_xact_id();
    SELECT pg_snapshot_xmin(pg_current_snapshot()) INTO oldest_running;
    IF oldest_running < bound THEN
      -- age() counts back from this transaction's own xid (bound): > 0 means older than bound
      SELECT max(age(running.xid)) INTO behind
      FROM (SELECT backend_xid AS xid FROM pg_stat_activity
            WHERE datname = current_database() AND backend_xid IS NOT NULL
            UNION ALL
            SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()) running
      WHERE age(running.xid) > 0;
      oldest_running := (bound::text::bigint - coalesce(behind, 0))::text::xid8;
    END IF;
    SELECT greatest(known, max(w.seq)) INTO horizon
    FROM unnest(waiting_seqs || last_seq, waiting_bounds || bound) AS w(seq, b)
    WHERE w.b <= oldest_running;
  END IF;
  -- a statement of its own: its snapshot is taken after the check above, so it sees every commit it vouched for
  SELECT json_agg(json_build_object('seq', e.seq::text, 'taskId', e.task_id, 'type', e.type, 'status', e.status,
           'clientId', e.client_id, 'data', e.data, 'createdAt', e.created_at) ORDER BY e.seq)
  INTO events
  FROM (SELECT * FROM task_events WHERE seq > after AND seq <= horizon ORDER BY seq LIMIT page) e;
  RETURN NEXT;
END
$$;
