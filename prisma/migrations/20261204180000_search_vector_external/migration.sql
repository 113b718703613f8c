-- Hand-written (the schema engine cannot describe a column's storage; schema.prisma says it in a comment).
-- A decision's tsvector (~4 kB) does not fit in its row, so PostgreSQL tried to compress it with pglz before moving
-- it out of line, and for these vectors (lexemes and packed positions) pglz gave up each time: CPU spent on every
-- indexed document for nothing stored smaller (pg_column_size stayed the uncompressed size). EXTERNAL moves it out
-- of line without trying: ~0.03 ms less of PostgreSQL's CPU per indexed document (docs/benchmarks.md, issue 12,
-- session 10). Rows written before keep their form; nothing is rewritten.
ALTER TABLE "documents" ALTER COLUMN "search_vector" SET STORAGE EXTERNAL;
