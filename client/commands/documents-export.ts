/**
 * `reyestr documents export`: every decision matching the filters as JSONL, CSV or Parquet, to a file or
 * stdout (`-o -`), streamed from the gate (GET /api/v1/documents/export) with constant memory; on a TTY a
 * progress bar with rate and ETA (stderr).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { EXPORT_FORMATS, type ExportFormat } from '../rules/index.ts';
import { type FilterOptions, filterOptions } from './document-filters.ts';
import { action, CliError, gateCommand, type GateOptions, type Output, stdio } from './support.ts';

export interface ExportOptions extends GateOptions, FilterOptions {
  format?: ExportFormat;
  output: string;
  query?: string;
  text?: boolean;
  html?: boolean;
  progress?: boolean;
}

const formatOption = (value: string) => {
  if (!(EXPORT_FORMATS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`use ${EXPORT_FORMATS.join(', ')}`);
  return value as ExportFormat;
};

const formatOfFile = (file: string): ExportFormat | null =>
  (EXPORT_FORMATS as readonly string[]).find((f) => file.toLowerCase().endsWith(`.${f}`)) as ExportFormat | null;

export function registerDocumentExportCommand(documents: Command, output: Output = stdio): void {
  filterOptions(
    gateCommand(
      documents,
      'export',
      'write every matching decision as JSONL, CSV or Parquet (streamed, constant memory)',
      'reyestr documents export --kind 2 --form 1 --region 11 --text --format parquet -o sentences.parquet',
    ),
  )
    .requiredOption('-o, --output <file>', 'the file to write, or - for stdout')
    .option('--format <format>', `${EXPORT_FORMATS.join(', ')} (default: from the file name, else jsonl)`, formatOption)
    .option('--query <words>', 'only decisions whose text matches (as in documents search)')
    .option('--text', "add each decision's text")
    .option('--html', "add each decision's HTML as the court submitted it")
    .option('--no-progress', 'no progress bar (there is none when stderr is not a terminal)')
    .action(
      action(async (o: ExportOptions) => {
        const format = o.format ?? (o.output === '-' ? null : formatOfFile(o.output)) ?? 'jsonl';
        if (format === 'parquet' && o.output === '-' && process.stdout.isTTY)
          throw new CliError('refusing to write Parquet to a terminal: use -o FILE');
        const { runExport } = await import('./documents-export-run.ts');
        await runExport(o, format, output);
      }, output),
    );
}
