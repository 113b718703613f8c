// One batch of a document export: the rows after a cursor (the gate id) in id order, every typed column as
// text, the indexed text when asked for. Walking by id keeps each batch an index range scan however deep
// the export goes, and the export never holds more than a batch.
import { Prisma } from '../../generated/prisma/client.ts';
import type { prisma } from '../database.ts';
import { type DocumentFilter, documentWhere } from './document-filter.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

export interface ExportedRow {
  id: string;
  documentId: string;
  caseNumber: string | null;
  proceedingNumber: string | null;
  courtName: string | null;
  courtCode: string | null;
  courtRegion: string | null;
  instance: string | null;
  judge: string | null;
  decisionForm: string | null;
  proceedingForm: string | null;
  caseCategory: string | null;
  adoptedOn: string | null;
  sentOn: string | null;
  registeredOn: string | null;
  publishedOn: string | null;
  inForceOn: string | null;
  sourceUrl: string | null;
  fetchedAt: string;
  sha256: string | null;
  text?: string | null;
}

const day = (column: string, as: string) => Prisma.raw(`to_char(d.${column}, 'YYYY-MM-DD') AS "${as}"`);

export function exportBatch(
  db: Db,
  filter: DocumentFilter,
  after: string | null,
  limit: number,
  withText: boolean,
): Promise<ExportedRow[]> {
  const cursor = after ? [Prisma.sql`d.id > ${after}::uuid`] : [];
  return db.$queryRaw`
    SELECT d.id::text AS id, d.document_id AS "documentId", d.case_number AS "caseNumber",
      d.proceeding_number AS "proceedingNumber", d.court_name AS "courtName", d.court_code AS "courtCode",
      d.court_region AS "courtRegion", d.instance, d.judge, d.decision_form AS "decisionForm",
      d.proceeding_form AS "proceedingForm", d.case_category AS "caseCategory",
      ${day('adopted_on', 'adoptedOn')}, ${day('sent_on', 'sentOn')}, ${day('registered_on', 'registeredOn')},
      ${day('published_on', 'publishedOn')}, ${day('in_force_on', 'inForceOn')},
      d.source_url AS "sourceUrl", to_char(d.fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "fetchedAt",
      d.sha256
      ${withText ? Prisma.sql`, t.text` : Prisma.empty}
    FROM documents d
    ${withText ? Prisma.sql`LEFT JOIN document_search_texts t ON t.document_id = d.id` : Prisma.empty}
    ${documentWhere(filter, cursor)}
    ORDER BY d.id
    LIMIT ${limit}`;
}
