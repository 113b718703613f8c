// Records documents whose content is in the store, with their typed metadata columns: a new row, or the
// content for a row an older REST client registered without any. A document already stored keeps its first
// version — a decision is a fact, and the first complete copy that reached the gate is it. One statement per
// batch, always as a part of another statement (store-database-documents.ts, record-uploaded-documents.ts):
// it returns "documentId" for each row it recorded.
import type { TypedDocumentMetadata } from '../../../client/rules/index.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { typedColumnNames, typedColumnsFromExcluded, typedValuesFromJson } from './typed-metadata-columns.ts';

// The statement's fixed pieces, built once rather than for each batch.
const TYPED_COLUMNS_FROM_ROW = typedValuesFromJson('x.typed');
const TYPED_FROM_EXCLUDED = typedColumnsFromExcluded('d');

export interface StoredDocumentRow {
  documentId: string;
  metadata: Record<string, unknown>;
  /** an object of its own (not spread into the row: that costs a copy of 16 fields per document) */
  typed: TypedDocumentMetadata;
  taskId: string | null;
  clientId: string | null;
  sha256: string;
  sizeBytes: number;
  fetchedAt: string;
  storage: 'DATABASE' | 'S3';
  textSha256: string;
  textSizeBytes: number;
  storedBytes: number;
}

/**
 * The INSERT … RETURNING "documentId" for a non-empty batch. The rows travel as one JSON document in UTF-8 bytes
 * (a bytea parameter) rather than a string: the gate's pg driver holds a statement's parameters until its answer,
 * and a Buffer's bytes live outside V8's young generation, which eight batches in flight otherwise keep filled
 * with their rows' JSON (~50 kB a batch), so collections ran more often (docs/benchmarks.md, issue 12).
 */
export function recordStoredDocumentsSql(rows: StoredDocumentRow[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO documents AS d (document_id, metadata, task_id, client_id, sha256, size_bytes, fetched_at,
      stored_at, storage, text_sha256, text_size_bytes, stored_bytes, ${typedColumnNames}, metadata_typed_at)
    SELECT x."documentId", x.metadata, x."taskId", x."clientId", x.sha256, x."sizeBytes", x."fetchedAt",
      now(), x.storage::"DocumentStorage", x."textSha256", x."textSizeBytes", x."storedBytes",
      ${TYPED_COLUMNS_FROM_ROW}, now()
    FROM jsonb_to_recordset(convert_from(${Buffer.from(JSON.stringify(rows))}::bytea, 'UTF8')::jsonb) AS x("documentId" text, metadata jsonb, typed jsonb,
      "taskId" uuid, "clientId" uuid, sha256 text, "sizeBytes" int, "fetchedAt" timestamptz, storage text,
      "textSha256" text, "textSizeBytes" int, "storedBytes" int)
    ORDER BY x."documentId"
    ON CONFLICT (document_id) DO UPDATE SET
      metadata = d.metadata || EXCLUDED.metadata, task_id = coalesce(d.task_id, EXCLUDED.task_id),
      client_id = coalesce(d.client_id, EXCLUDED.client_id), sha256 = EXCLUDED.sha256,
      size_bytes = EXCLUDED.size_bytes, stored_at = EXCLUDED.stored_at, storage = EXCLUDED.storage,
      text_sha256 = EXCLUDED.text_sha256, text_size_bytes = EXCLUDED.text_size_bytes,
      stored_bytes = EXCLUDED.stored_bytes, ${TYPED_FROM_EXCLUDED}, metadata_typed_at = now()
    WHERE d.stored_at IS NULL
    RETURNING d.document_id AS "documentId"`;
}
