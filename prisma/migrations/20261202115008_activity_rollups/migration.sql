-- CreateTable
CREATE TABLE "activity_minutes" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "client_id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "completed" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "dead" INTEGER NOT NULL DEFAULT 0,
    "expired" INTEGER NOT NULL DEFAULT 0,
    "documents" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "activity_minutes_pkey" PRIMARY KEY ("bucket","client_id","plan_id")
);

-- CreateTable
CREATE TABLE "activity_hours" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "client_id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "completed" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "dead" INTEGER NOT NULL DEFAULT 0,
    "expired" INTEGER NOT NULL DEFAULT 0,
    "documents" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "activity_hours_pkey" PRIMARY KEY ("bucket","client_id","plan_id")
);
