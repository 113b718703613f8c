-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "paused" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "paused_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "plans" ADD COLUMN     "paused" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "paused_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "follow_id" UUID,
ADD COLUMN     "plan_id" UUID;

-- CreateTable
CREATE TABLE "gate_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "queue_paused" BOOLEAN NOT NULL DEFAULT false,
    "queue_paused_at" TIMESTAMPTZ(3),

    CONSTRAINT "gate_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_logs" (
    "task_id" UUID NOT NULL,
    "lease_epoch" INTEGER NOT NULL,
    "lines" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "task_logs_pkey" PRIMARY KEY ("task_id")
);

-- CreateTable
CREATE TABLE "failed_documents" (
    "document_id" TEXT NOT NULL,
    "task_id" UUID,
    "client_id" UUID,
    "error_class" "ErrorClass" NOT NULL,
    "message" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 1,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "court_name" TEXT,
    "adopted_on" TEXT,
    "first_failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retry_task_id" UUID,

    CONSTRAINT "failed_documents_pkey" PRIMARY KEY ("document_id")
);

-- CreateIndex
CREATE INDEX "failed_documents_last_failed_at_idx" ON "failed_documents"("last_failed_at");

-- CreateIndex
CREATE INDEX "failed_documents_error_class_last_failed_at_idx" ON "failed_documents"("error_class", "last_failed_at");

-- CreateIndex
CREATE INDEX "failed_documents_task_id_idx" ON "failed_documents"("task_id");

-- CreateIndex
CREATE INDEX "tasks_plan_id_idx" ON "tasks"("plan_id");

-- CreateIndex
CREATE INDEX "tasks_follow_id_idx" ON "tasks"("follow_id");

-- CreateIndex
CREATE INDEX "tasks_status_last_error_class_idx" ON "tasks"("status", "last_error_class");

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_follow_id_fkey" FOREIGN KEY ("follow_id") REFERENCES "follows"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_logs" ADD CONSTRAINT "task_logs_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "failed_documents" ADD CONSTRAINT "failed_documents_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "failed_documents" ADD CONSTRAINT "failed_documents_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The queue's switch is one row, there from the start (claims read it; services only update it).
INSERT INTO "gate_state" ("id") VALUES (1) ON CONFLICT DO NOTHING;
