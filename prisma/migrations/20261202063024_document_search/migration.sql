-- AlterTable
ALTER TABLE "documents" ADD COLUMN     "adopted_on" DATE,
ADD COLUMN     "case_category" TEXT,
ADD COLUMN     "case_number" TEXT,
ADD COLUMN     "court_code" TEXT,
ADD COLUMN     "court_name" TEXT,
ADD COLUMN     "court_region" TEXT,
ADD COLUMN     "decision_form" TEXT,
ADD COLUMN     "in_force_on" DATE,
ADD COLUMN     "indexed_at" TIMESTAMPTZ(3),
ADD COLUMN     "instance" TEXT,
ADD COLUMN     "judge" TEXT,
ADD COLUMN     "metadata_typed_at" TIMESTAMPTZ(3),
ADD COLUMN     "proceeding_form" TEXT,
ADD COLUMN     "proceeding_number" TEXT,
ADD COLUMN     "published_on" DATE,
ADD COLUMN     "registered_on" DATE,
ADD COLUMN     "search_vector" tsvector,
ADD COLUMN     "sent_on" DATE,
ADD COLUMN     "source_url" TEXT;

-- CreateTable
CREATE TABLE "document_search_texts" (
    "document_id" UUID NOT NULL,
    "text" TEXT NOT NULL,

    CONSTRAINT "document_search_texts_pkey" PRIMARY KEY ("document_id")
);

-- CreateIndex
CREATE INDEX "documents_case_number_idx" ON "documents"("case_number");

-- CreateIndex
CREATE INDEX "documents_court_region_adopted_on_idx" ON "documents"("court_region", "adopted_on");

-- CreateIndex
CREATE INDEX "documents_judge_adopted_on_idx" ON "documents"("judge", "adopted_on");

-- CreateIndex
CREATE INDEX "documents_court_code_adopted_on_idx" ON "documents"("court_code", "adopted_on");

-- CreateIndex
CREATE INDEX "documents_court_name_idx" ON "documents"("court_name");

-- CreateIndex
CREATE INDEX "documents_decision_form_adopted_on_idx" ON "documents"("decision_form", "adopted_on");

-- CreateIndex
CREATE INDEX "documents_proceeding_form_adopted_on_idx" ON "documents"("proceeding_form", "adopted_on");

-- CreateIndex
CREATE INDEX "documents_adopted_on_idx" ON "documents"("adopted_on");

-- CreateIndex
CREATE INDEX "documents_search_vector_idx" ON "documents" USING GIN ("search_vector");

-- AddForeignKey
ALTER TABLE "document_search_texts" ADD CONSTRAINT "document_search_texts_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
