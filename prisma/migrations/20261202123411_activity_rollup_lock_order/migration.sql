-- Event inserts are no longer serialized (event_log_horizon dropped that trigger), so two transactions may
-- upsert the same rollup rows at once: each now takes them in one order (bucket, worker, plan; minutes before
-- hours), so they wait for each other instead of deadlocking.
CREATE OR REPLACE FUNCTION reyestr_roll_up_activity() RETURNS trigger
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
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
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
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (bucket, client_id, plan_id) DO UPDATE SET completed = a.completed + excluded.completed,
    failed = a.failed + excluded.failed, dead = a.dead + excluded.dead, expired = a.expired + excluded.expired,
    documents = a.documents + excluded.documents;
  RETURN NULL;
END
$$;
