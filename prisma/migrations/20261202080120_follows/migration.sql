-- CreateTable
CREATE TABLE "follows" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "search_params" JSONB NOT NULL,
    "start_date" TEXT NOT NULL,
    "schedule" TEXT NOT NULL,
    "recount_days" INTEGER NOT NULL DEFAULT 30,
    "window" TEXT NOT NULL DEFAULT 'month',
    "options" JSONB NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "covered_to" TEXT,
    "runs" INTEGER NOT NULL DEFAULT 0,
    "last_run_at" TIMESTAMPTZ(3),
    "next_run_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "follows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "follow_windows" (
    "follow_id" UUID NOT NULL,
    "date_from" TEXT NOT NULL,
    "date_to" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "plan_task_id" UUID,
    "expected" INTEGER,
    "downloaded" INTEGER NOT NULL DEFAULT 0,
    "repairs" INTEGER NOT NULL DEFAULT 0,
    "reason" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "follow_windows_pkey" PRIMARY KEY ("follow_id","date_from")
);

-- CreateTable
CREATE TABLE "follow_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "follow_id" UUID NOT NULL,
    "round" INTEGER NOT NULL,
    "trigger" TEXT NOT NULL,
    "summary" JSONB NOT NULL,
    "result" JSONB NOT NULL DEFAULT '{}',
    "finished_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "follow_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "follows_next_run_at_idx" ON "follows"("next_run_at");

-- CreateIndex
CREATE UNIQUE INDEX "follow_runs_follow_id_round_key" ON "follow_runs"("follow_id", "round");

-- AddForeignKey
ALTER TABLE "follow_windows" ADD CONSTRAINT "follow_windows_follow_id_fkey" FOREIGN KEY ("follow_id") REFERENCES "follows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_runs" ADD CONSTRAINT "follow_runs_follow_id_fkey" FOREIGN KEY ("follow_id") REFERENCES "follows"("id") ON DELETE CASCADE ON UPDATE CASCADE;
