-- Keeps activity_minutes and activity_hours (the dashboard's throughput and failure charts) from the event log:
-- after each INSERT into task_events, one grouped upsert per table of the completions, failures and lease
-- expiries it added. A statement-level trigger with a transition table: a batch of a thousand events is two
-- statements, not two thousand; events of other types (claims, progress, retries) add nothing.
-- The plan is the task's (tasks.plan_id, inherited by a plan's child tasks); none is the all-zero uuid.
CREATE FUNCTION reyestr_roll_up_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO activity_minutes AS a (bucket, client_id, plan_id, completed, failed, dead, expired, documents)
  SELECT date_trunc('minute', e.created_at), coalesce(e.client_id, '00000000-0000-0000-0000-000000000000'),
    coalesce(t.plan_id, '00000000-0000-0000-0000-000000000000'),
    count(*) FILTER (WHERE e.type = 'COMPLETED'),
    count(*) FILTER (WHERE e.type = 'FAILED'),
    count(*) FILTER (WHERE e.status = 'DEAD'),
    count(*) FILTER (WHERE e.type = 'LEASE_EXPIRED'),
    coalesce(sum((e.data->>'downloaded')::int) FILTER (WHERE e.type = 'COMPLETED'), 0)
  FROM added e LEFT JOIN tasks t ON t.id = e.task_id WHERE e.type IN ('COMPLETED', 'FAILED', 'LEASE_EXPIRED')
  GROUP BY 1, 2, 3
  ON CONFLICT (bucket, client_id, plan_id) DO UPDATE SET completed = a.completed + excluded.completed,
    failed = a.failed + excluded.failed, dead = a.dead + excluded.dead, expired = a.expired + excluded.expired,
    documents = a.documents + excluded.documents;

  INSERT INTO activity_hours AS a (bucket, client_id, plan_id, completed, failed, dead, expired, documents)
  SELECT date_trunc('hour', e.created_at), coalesce(e.client_id, '00000000-0000-0000-0000-000000000000'),
    coalesce(t.plan_id, '00000000-0000-0000-0000-000000000000'),
    count(*) FILTER (WHERE e.type = 'COMPLETED'),
    count(*) FILTER (WHERE e.type = 'FAILED'),
    count(*) FILTER (WHERE e.status = 'DEAD'),
    count(*) FILTER (WHERE e.type = 'LEASE_EXPIRED'),
    coalesce(sum((e.data->>'downloaded')::int) FILTER (WHERE e.type = 'COMPLETED'), 0)
  FROM added e LEFT JOIN tasks t ON t.id = e.task_id WHERE e.type IN ('COMPLETED', 'FAILED', 'LEASE_EXPIRED')
  GROUP BY 1, 2, 3
  ON CONFLICT (bucket, client_id, plan_id) DO UPDATE SET completed = a.completed + excluded.completed,
    failed = a.failed + excluded.failed, dead = a.dead + excluded.dead, expired = a.expired + excluded.expired,
    documents = a.documents + excluded.documents;
  RETURN NULL;
END
$$;

CREATE TRIGGER task_events_roll_up_activity AFTER INSERT ON "task_events"
  REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION reyestr_roll_up_activity();

-- What the log already holds (a database upgraded to this version): rolled up once, here.
INSERT INTO activity_minutes (bucket, client_id, plan_id, completed, failed, dead, expired, documents)
SELECT date_trunc('minute', e.created_at), coalesce(e.client_id, '00000000-0000-0000-0000-000000000000'),
  coalesce(t.plan_id, '00000000-0000-0000-0000-000000000000'),
  count(*) FILTER (WHERE e.type = 'COMPLETED'), count(*) FILTER (WHERE e.type = 'FAILED'),
  count(*) FILTER (WHERE e.status = 'DEAD'), count(*) FILTER (WHERE e.type = 'LEASE_EXPIRED'),
  coalesce(sum((e.data->>'downloaded')::int) FILTER (WHERE e.type = 'COMPLETED'), 0)
FROM task_events e LEFT JOIN tasks t ON t.id = e.task_id WHERE e.type IN ('COMPLETED', 'FAILED', 'LEASE_EXPIRED') GROUP BY 1, 2, 3;

INSERT INTO activity_hours (bucket, client_id, plan_id, completed, failed, dead, expired, documents)
SELECT date_trunc('hour', bucket), client_id, plan_id, sum(completed), sum(failed), sum(dead), sum(expired), sum(documents)
FROM activity_minutes GROUP BY 1, 2, 3;
