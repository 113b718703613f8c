/**
 * Writing exported documents (rows of the export columns, client/rules/document-export.ts) as JSON lines,
 * CSV (csv-stringify) or Parquet (hyparquet-writer), pulling rows as the output drains: memory holds one
 * row (JSONL, CSV) or one row group (Parquet), whatever the size of the export.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { parquetWriteRows } from 'hyparquet-writer';
import type { ExportColumn, ExportFormat, ExportRow } from '../rules/index.ts';
import { StreamWriter } from './parquet-stream.ts';

/** Rows per Parquet row group: smaller when each row carries a whole decision. */
export const rowGroupSize = (columns: readonly ExportColumn[]) =>
  columns.includes('html') ? 200 : columns.includes('text') ? 1_000 : 10_000;

async function* jsonLines(rows: AsyncIterable<ExportRow>) {
  for await (const row of rows) yield `${JSON.stringify(row)}\n`;
}

/** Writes every row to `out` in `format`; resolves when the last byte is handed to `out` (not ended). */
export async function writeRows(
  format: ExportFormat,
  rows: AsyncIterable<ExportRow>,
  columns: readonly ExportColumn[],
  out: Writable,
): Promise<void> {
  if (format === 'jsonl') return pipeline(jsonLines(rows), out, { end: false });
  if (format === 'csv')
    return pipeline(rows, stringify({ header: true, columns: [...columns], bom: false }), out, { end: false });
  const writer = new StreamWriter(out);
  await parquetWriteRows({
    writer,
    rows,
    columns: columns.map((name) => ({ name, type: 'STRING' as const, nullable: true })),
    rowGroupSize: rowGroupSize(columns),
  });
  await writer.finish();
  if (out.writableNeedDrain) await once(out, 'drain');
}
