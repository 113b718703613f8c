/**
 * The columns of a document export, in order: the gate writes each document as one JSON line with these
 * keys (REST /api/v1/documents/export), the CLI turns the lines into CSV or Parquet with the same columns.
 * Pure: no I/O.
 */
export const EXPORT_COLUMNS = [
  'documentId',
  'caseNumber',
  'proceedingNumber',
  'courtName',
  'courtCode',
  'courtRegion',
  'courtRegionName',
  'instance',
  'instanceName',
  'judge',
  'decisionForm',
  'decisionFormName',
  'proceedingForm',
  'proceedingFormName',
  'caseCategory',
  'adoptedOn',
  'sentOn',
  'registeredOn',
  'publishedOn',
  'inForceOn',
  'sourceUrl',
  'fetchedAt',
  'sha256',
] as const;

/** Columns present only when asked for (`--text`, `--html`). */
export const EXPORT_CONTENT_COLUMNS = ['text', 'html'] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number] | (typeof EXPORT_CONTENT_COLUMNS)[number];

/** One exported document: every column a string or null (dates ISO YYYY-MM-DD, fetchedAt ISO timestamp). */
export type ExportRow = Partial<Record<ExportColumn, string | null>> & { documentId: string };

export const EXPORT_FORMATS = ['jsonl', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The columns of an export with these contents. */
export const exportColumns = (include: { text?: boolean; html?: boolean }): ExportColumn[] => [
  ...EXPORT_COLUMNS,
  ...(include.text ? (['text'] as const) : []),
  ...(include.html ? (['html'] as const) : []),
];
