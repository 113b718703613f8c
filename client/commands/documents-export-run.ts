/**
 * What `reyestr documents export` does once it runs (documents-export.ts declares the command): the stream from
 * the gate, the file writers (CSV, Parquet) and the progress bar load only here, not for every other command.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { openExport, ExportRefused } from '../export/download.ts';
import { writeRows } from '../export/formats.ts';
import { commandBar } from './progress-bar.ts';
import { type ExportFormat, type ExportRow, exportColumns } from '../rules/index.ts';
import { filterOf } from './document-filters.ts';
import type { ExportOptions } from './documents-export.ts';
import { CliError, EXIT, type Output } from './support.ts';

const EXIT_FOR_STATUS = (status: number) =>
  status === 401 || status === 403
    ? EXIT.AUTH
    : status === 404
      ? EXIT.NOT_FOUND
      : status < 500
        ? EXIT.USAGE
        : EXIT.SERVER;

/** Counts rows as they pass, and shows them on a bar when asked. */
async function* counted(rows: AsyncIterable<ExportRow>, onRow: () => void) {
  for await (const row of rows) {
    yield row;
    onRow();
  }
}

/** The export's bar: redrawn every 50 rows (and at the end), the gate's total as it said it (~ when estimated). */
function progressBar(total: number | null, exact: boolean) {
  const bar = commandBar('export', { approximate: !exact, total });
  let done = 0;
  return {
    tick() {
      if (++done % 50 === 0) bar.update(done, total);
    },
    stop() {
      bar.update(done, total);
      bar.stop();
    },
  };
}

export async function runExport(o: ExportOptions, format: ExportFormat, output: Output): Promise<void> {
  const params = new URLSearchParams({ filter: JSON.stringify(filterOf(o)) });
  if (o.query) params.set('q', o.query);
  if (o.text) params.set('text', 'true');
  if (o.html) params.set('html', 'true');
  let opened: Awaited<ReturnType<typeof openExport>>;
  try {
    opened = await openExport({ apiUrl: o.apiUrl, apiKey: o.apiKey, params });
  } catch (error) {
    if (error instanceof ExportRefused) throw new CliError(error.message, EXIT_FOR_STATUS(error.status));
    throw new CliError(`cannot reach the gate at ${o.apiUrl}: ${(error as Error).message}`, EXIT.SERVER);
  }
  // A file is written under a temporary name and renamed when complete: a cut export never looks whole.
  const partial = `${o.output}.partial`;
  const out: Writable = o.output === '-' ? process.stdout : createWriteStream(partial);
  const bar =
    o.progress !== false && process.stderr.isTTY && o.output !== '-'
      ? progressBar(opened.total, opened.totalExact)
      : null;
  let written = 0;
  try {
    await writeRows(
      format,
      counted(opened.rows, () => {
        written++;
        bar?.tick();
      }),
      exportColumns(o),
      out,
    );
    if (out !== process.stdout) {
      out.end();
      await once(out, 'close');
      await rename(partial, o.output);
    }
  } catch (error) {
    if (out !== process.stdout) {
      out.destroy();
      await rm(partial, { force: true });
    }
    throw new CliError(`export failed after ${written} document(s): ${(error as Error).message}`, EXIT.SERVER);
  } finally {
    bar?.stop();
  }
  if (o.output !== '-') output.err(`${written} document(s) written to ${o.output} (${format})\n`);
}
