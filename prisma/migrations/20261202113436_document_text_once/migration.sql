-- A decision's text is kept once, in the document store (document_contents.text, or the .txt.gz object of an
-- S3 store): search snippets, exports and the indexer read it there. Every row of document_search_texts was
-- written with content of the same document already in the store, so nothing is lost by dropping it.
-- DropForeignKey
ALTER TABLE "document_search_texts" DROP CONSTRAINT "document_search_texts_document_id_fkey";

-- DropTable
DROP TABLE "document_search_texts";

-- The gate's start-up backfill of typed metadata looks for untyped rows: an index of those alone (empty once
-- every row is typed) answers at once instead of scanning the table at every start.
CREATE INDEX "documents_metadata_untyped_idx" ON "documents" ("id") WHERE "metadata_typed_at" IS NULL;

-- The search indexer's queue: stored documents whose text is not indexed yet (server/services/search-indexer.ts).
-- Empty in the steady state; a crash between storing and indexing leaves rows here, which the next drain indexes.
CREATE INDEX "documents_index_queue_idx" ON "documents" ("stored_at") WHERE "stored_at" IS NOT NULL AND "indexed_at" IS NULL;
