-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "plan_options" JSONB;

-- CreateTable
CREATE TABLE "plans" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "search_params" JSONB NOT NULL,
    "date_from" TEXT NOT NULL,
    "date_to" TEXT NOT NULL,
    "window" TEXT,
    "options" JSONB NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "dedup_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plans_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "plans_dedup_key_key" ON "plans"("dedup_key");
