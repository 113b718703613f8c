// Exporting documents for data work: every document matching a filter (and a full-text query), in batches
// walked by id, as rows of the export columns (client/rules/document-export.ts). A generator: the caller
// pulls the next batch only when it has written the last, so memory stays one batch whatever the size.
import {
  catalogueLabel,
  courtRegions,
  decisionForms,
  type ExportRow,
  exportColumns,
  instances,
  proceedingForms,
} from '../../client/rules/index.ts';
import { prisma } from '../db/database.ts';
import { type ExportedRow, exportBatch } from '../db/sql/export-documents.ts';
import { type Actor, requireActor } from './actor.ts';
import { type DocumentFilterInput, parseDocumentFilter } from './document-filter.ts';
import { countMatching, parseQuery, withStatementTimeout } from './document-search.ts';
import { readStoredParts } from './stored-parts.ts';

export const EXPORT_BATCH = 500;

export interface ExportInput {
  filter?: DocumentFilterInput | null;
  query?: string | null;
  text?: boolean;
  html?: boolean;
}

const withNames = (row: ExportedRow): ExportRow => {
  const { id: _id, ...rest } = row;
  const name = (catalogue: typeof courtRegions, code: string | null) =>
    code ? (catalogueLabel(catalogue, code) ?? null) : null;
  return {
    ...rest,
    courtRegionName: name(courtRegions, row.courtRegion),
    instanceName: name(instances, row.instance),
    decisionFormName: name(decisionForms, row.decisionForm),
    proceedingFormName: name(proceedingForms, row.proceedingForm),
  };
};

export interface DocumentExport {
  /** documents to expect (exact up to the counting cap, else estimated) */
  total: number;
  totalExact: boolean;
  batches: AsyncGenerator<ExportRow[]>;
}

/**
 * Validates the request and counts the matches up front (bad input fails before anything is streamed),
 * then yields batches as they are pulled.
 */
export async function exportDocuments(actor: Actor | null, input: ExportInput): Promise<DocumentExport> {
  requireActor(actor);
  const filter = parseDocumentFilter(input.filter);
  const query = parseQuery(input.query);
  if (query) filter.tsquery = query.tsquery;
  const columns = exportColumns(input);
  const inColumnOrder = (row: ExportRow) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])) as ExportRow;
  const { totalCount, exact } = await countMatching(filter);
  const batches = (async function* () {
    let after: string | null = null;
    for (;;) {
      const rows = await withStatementTimeout((tx) => exportBatch(tx, filter, after, EXPORT_BATCH));
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      // Text and HTML come from the document store, a batch at a time (one statement, or parallel GETs).
      const [texts, htmls] = await Promise.all([
        input.text ? readStoredParts(prisma, rows, 'text') : null,
        input.html ? readStoredParts(prisma, rows, 'html') : null,
      ]);
      yield rows.map((row) =>
        inColumnOrder({
          ...withNames(row),
          text: texts?.get(row.documentId) ?? null,
          html: htmls?.get(row.documentId) ?? null,
        }),
      );
      if (rows.length < EXPORT_BATCH) return;
    }
  })();
  return { total: totalCount, totalExact: exact, batches };
}
