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
import { type ExportedRow, exportBatch } from '../db/sql/export-documents.ts';
import { type Actor, requireActor } from './actor.ts';
import { type DocumentFilterInput, parseDocumentFilter } from './document-filter.ts';
import { countMatching, parseQuery, withStatementTimeout } from './document-search.ts';
import { badInput } from './errors.ts';

export const EXPORT_BATCH = 500;

/** Reads the stored HTML of a batch of documents (the document store provides it; null: not stored). */
export type HtmlReader = (
  documents: Array<{ documentId: string; sha256: string | null }>,
) => Promise<Map<string, string | null>>;
let readHtml: HtmlReader | null = null;

/** The document store hands its reader here when the gate starts. */
export function provideHtmlReader(reader: HtmlReader | null) {
  readHtml = reader;
}

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
  if (input.html && !readHtml)
    throw badInput('html: this gate keeps no decision HTML yet (it arrives with the document store)', [
      { path: ['html'], message: 'not available' },
    ]);
  const html = input.html ? readHtml : null;
  const columns = exportColumns(input);
  const inColumnOrder = (row: ExportRow) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])) as ExportRow;
  const { totalCount, exact } = await countMatching(filter);
  const batches = (async function* () {
    let after: string | null = null;
    for (;;) {
      const rows = await withStatementTimeout((tx) => exportBatch(tx, filter, after, EXPORT_BATCH, !!input.text));
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      const htmlById = html ? await html(rows) : null;
      yield rows.map((row) => inColumnOrder({ ...withNames(row), html: htmlById?.get(row.documentId) ?? null }));
      if (rows.length < EXPORT_BATCH) return;
    }
  })();
  return { total: totalCount, totalExact: exact, batches };
}
