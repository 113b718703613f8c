-- Hand-written (functions and free-standing sequences are invisible to the drift check; schema.prisma names the
-- function in the column's default). New task ids sort in creation order: the first 32 bits are a counter
-- (reyestr_task_id_heads, modulo 2^32), the rest is gen_random_uuid()'s randomness with the version nibble set to 8
-- (RFC 9562's custom layout; the variant stays RFC 4122's). Still a UUID every id check accepts.
--
-- Why: tasks are claimed in creation order, and each claim and completion writes a new entry into the primary key
-- and a task_events (task_id, seq) entry per task. With random ids the 50 tasks of a batch sit on ~50 leaf pages of
-- each of those indexes, and the first change of a page after a checkpoint is a full-page image in the WAL; in
-- creation order they share one or two (docs/benchmarks.md, issue 16: WAL per task −36 %, full-page images −85 %).
--
-- Why a counter and not a UUIDv7's millisecond clock: people tell tasks apart by the first 8 hex digits (the CLI's
-- tables, worker logs, `reyestr … <id prefix>`). A v7 id's first 8 digits are the clock in units of 65 s, the same
-- for every task of a plan; a counter's differ for each task.
CREATE SEQUENCE "reyestr_task_id_heads";

CREATE FUNCTION reyestr_task_id() RETURNS uuid
LANGUAGE sql VOLATILE
AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send(nextval('reyestr_task_id_heads')) FROM 5)
              FROM 1 FOR 4),
      54, 0), 55, 1),
    'hex')::uuid
$$;

ALTER TABLE "tasks" ALTER COLUMN "id" SET DEFAULT reyestr_task_id();
