-- CreateEnum
CREATE TYPE "DocumentStorage" AS ENUM ('DATABASE', 'S3');

-- AlterTable
ALTER TABLE "documents" ADD COLUMN     "storage" "DocumentStorage",
ADD COLUMN     "stored_at" TIMESTAMPTZ(3),
ADD COLUMN     "stored_bytes" INTEGER,
ADD COLUMN     "text_sha256" TEXT,
ADD COLUMN     "text_size_bytes" INTEGER;

-- CreateTable
CREATE TABLE "document_contents" (
    "document_id" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "html" BYTEA NOT NULL,
    "text" BYTEA NOT NULL,
    "metadata" BYTEA NOT NULL,
    "html_size" INTEGER NOT NULL,
    "text_size" INTEGER NOT NULL,
    "metadata_size" INTEGER NOT NULL,
    "text_sha256" TEXT NOT NULL,
    "metadata_sha256" TEXT NOT NULL,
    "encoding" TEXT NOT NULL DEFAULT 'gzip',
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_contents_pkey" PRIMARY KEY ("document_id","sha256")
);

-- CreateTable
CREATE TABLE "document_uploads" (
    "document_id" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_uploads_pkey" PRIMARY KEY ("document_id","sha256")
);

-- CreateIndex
CREATE INDEX "document_contents_stored_at_idx" ON "document_contents"("stored_at");

-- CreateIndex
CREATE INDEX "document_uploads_created_at_idx" ON "document_uploads"("created_at");

-- The parts arrive gzip-compressed: TOAST should store them out of line without trying to compress them again.
ALTER TABLE "document_contents" ALTER COLUMN "html" SET STORAGE EXTERNAL;
ALTER TABLE "document_contents" ALTER COLUMN "text" SET STORAGE EXTERNAL;
ALTER TABLE "document_contents" ALTER COLUMN "metadata" SET STORAGE EXTERNAL;
