// One batch of a document export: the rows after a cursor (the gate id) in id order, every typed column as
// text (the columns come from client/rules' TYPED_METADATA_FIELDS). Walking by id keeps each batch an index
// range scan however deep the export goes, and the export never holds more than a batch. Text and HTML are
// read from the document store afterwards (services/stored-parts.ts).
import { Prisma } from '../../generated/prisma/client.ts';
import type { TypedDocumentMetadata } from '../../../client/rules/index.ts';
import type { prisma } from '../database.ts';
import { type DocumentFilter, documentWhere } from './document-filter.ts';
import { selectTypedColumns } from './typed-metadata-columns.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

export type ExportedRow = TypedDocumentMetadata & {
  id: string;
  documentId: string;
  fetchedAt: string;
  sha256: string | null;
};

export function exportBatch(
  db: Db,
  filter: DocumentFilter,
  after: string | null,
  limit: number,
): Promise<ExportedRow[]> {
  const cursor = after ? [Prisma.sql`d.id > ${after}::uuid`] : [];
  return db.$queryRaw`
    SELECT d.id::text AS id, d.document_id AS "documentId", ${selectTypedColumns('d')},
      to_char(d.fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "fetchedAt",
      d.sha256
    FROM documents d
    ${documentWhere(filter, cursor)}
    ORDER BY d.id
    LIMIT ${limit}`;
}
