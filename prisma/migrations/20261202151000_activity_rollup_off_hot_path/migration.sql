-- The activity rollups leave the claim/complete path: the trigger that upserted activity_minutes and
-- activity_hours in every transaction that wrote events (two upserts per statement, and on a completion a row
-- lock on the worker's current minute held to commit) is dropped. The gates roll the event log up behind its
-- horizon instead (server/activity-rollup.ts, server/db/sql/roll-up-activity.ts): activity_rollup.rolled_up_to
-- is the seq up to which the rollups hold the log; readers add the events after it (the tail) themselves, so
-- the charts stay exact and live.
--
-- The lock waits for every transaction still writing events (each holds the table's ROW EXCLUSIVE lock until
-- it commits), so every event that exists when it is granted was rolled up by the trigger, and none after it is.
LOCK TABLE "task_events" IN SHARE ROW EXCLUSIVE MODE;
DROP TRIGGER IF EXISTS task_events_roll_up_activity ON "task_events";
DROP FUNCTION IF EXISTS reyestr_roll_up_activity();

-- CreateTable
CREATE TABLE "activity_rollup" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "rolled_up_to" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "activity_rollup_pkey" PRIMARY KEY ("id")
);

INSERT INTO "activity_rollup" ("id", "rolled_up_to") SELECT 1, coalesce(max(seq), 0) FROM "task_events";
