-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "stalls" INTEGER NOT NULL DEFAULT 0;
