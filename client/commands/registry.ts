/**
 * `reyestr registry …`: talk to the court registry directly.
 *   registry parse <file.html>   what the parsers see in a saved page, as JSON (debugging aid, stable for checks)
 *   registry search --param …    one search: total, page count and the first rows (sizing a search)
 *   registry fields [NAME]       the search fields, or one with its codes and their names (./registry-fields.ts)
 *
 * `registry parse` exit codes: 0 a whole page; 3 a results page that is not whole (cut off: printed with
 * `complete: false` and the reasons); 1 a page refused (over the size limit, nested too deep, not UTF-8 without
 * saying so); 2 no such file, a directory, or bad usage. Every failure is one line on stderr.
 */
import { readFile, stat } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { isRegistryError, SEARCH_FIELDS, SEARCH_FIELD_NAMES } from '../rules/index.ts';
import { DEFAULT_PAGE_LIMITS, MIB } from '../registry/parsers/page-limits.ts';
import type { SearchSummary } from '../registry/session.ts';
import { registerRegistryFieldsCommand } from './registry-fields.ts';

/** Where the commands print (stdout/stderr by default; tests pass their own). */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const MULTI_SELECTS = new Set(SEARCH_FIELDS.filter((field) => field.kind === 'multi').map((field) => field.name));

/** `--param Name=value`, repeatable; repeated names and comma lists of multi-selects become lists. */
function collectParam(raw: string, params: Record<string, string | string[]>): Record<string, string | string[]> {
  const separator = raw.indexOf('=');
  if (separator <= 0)
    throw new InvalidArgumentError(
      `expected Name=value, e.g. CourtRegion=11 (fields: ${SEARCH_FIELD_NAMES.join(', ')})`,
    );
  const name = raw.slice(0, separator).trim();
  const value = raw.slice(separator + 1);
  const values = MULTI_SELECTS.has(name.replace(/\[\]$/, '')) ? value.split(',').map((item) => item.trim()) : [value];
  const previous = params[name];
  const merged = previous === undefined ? values : [...(Array.isArray(previous) ? previous : [previous]), ...values];
  return { ...params, [name]: merged.length === 1 ? merged[0] : merged };
}

function rowsTable(summary: SearchSummary, limit: number): string {
  const header = ['documentId', 'adoptedOn', 'decisionForm', 'caseNumber', 'courtName', 'judge'];
  const rows = summary.firstPage
    .slice(0, limit)
    .map((row) => [row.documentId, row.adoptedOn.raw, row.decisionForm, row.caseNumber, row.courtName, row.judge]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** How long `registry search` waits for one page (the registry can be slow; a worker waits 60 s). */
const SEARCH_TIMEOUT_MS = 30_000;

function reportFailure(error: unknown, output: CommandOutput): void {
  if (!isRegistryError(error)) throw error;
  const next = error.class === 'NETWORK' ? '; check the address (--registry-url) and the network' : '';
  output.err(`error [${error.class}] ${error.message}${next}\n`);
  process.exitCode = error.class === 'PARSE' && error.reason === 'invalid-search-params' ? 2 : 1;
}

/** A saved page's bytes; a missing file, a directory or a page over the size limit is one line of error. */
async function readSavedPage(file: string, maxBytes: number): Promise<Buffer> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    const why =
      error.code === 'ENOENT' ? 'no such file' : error.code === 'EACCES' ? 'permission denied' : error.message;
    throw new UsageError(`cannot read ${file}: ${why}`);
  });
  if (info.isDirectory()) throw new UsageError(`${file} is a directory, not a saved page`);
  if (info.size > maxBytes) {
    const { pageTooLarge } = await import('../registry/parsers/bounds.ts');
    throw pageTooLarge(info.size, maxBytes, file);
  }
  return readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code === 'EACCES' ? 'permission denied' : error.message}`);
  });
}

class UsageError extends Error {}

export function registerRegistryCommands(program: Command, output: CommandOutput = processOutput): Command {
  const registry = program
    .command('registry')
    .description('work with the court registry directly: parse saved pages, size searches');

  registerRegistryFieldsCommand(registry, output);

  registry
    .command('parse')
    .description(
      'print what the parser sees in a saved registry page, as JSON (kind: form|results|empty|review|error|captcha|unknown)',
    )
    .argument('<file>', 'a saved HTML page of the registry')
    .option('--html', "include a decision's full HTML (left out by default)")
    .option(
      '--max-page-size <MB>',
      'refuse pages larger than this',
      (value) => Number.parseFloat(value),
      DEFAULT_PAGE_LIMITS.maxBytes / MIB,
    )
    .action(async (file: string, options: { html?: boolean; maxPageSize: number }) => {
      const limits = { ...DEFAULT_PAGE_LIMITS, maxBytes: Math.round(options.maxPageSize * MIB) };
      try {
        const { parsePageBytes } = await import('../registry/parsers/index.ts'); // cheerio loads only here
        const page = parsePageBytes(await readSavedPage(file, limits.maxBytes), { limits, url: file });
        const shown =
          page.kind === 'review' && !options.html ? { ...page, html: undefined, htmlLength: page.html.length } : page;
        output.out(`${JSON.stringify(shown, null, 2)}\n`);
        if (page.kind === 'results' && !page.complete) {
          output.err(`error [PARSE] ${file} is an incomplete results page: ${page.incomplete?.join('; ')}\n`);
          process.exitCode = 3;
        }
      } catch (error) {
        if (isRegistryError(error)) return reportFailure(error, output);
        output.err(`error: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
      }
    });

  registry
    .command('search')
    .description('run one search and print its total, page count and first rows')
    .option(
      '-p, --param <Name=value>',
      'a registry search field (repeat it, or use commas, for lists)',
      collectParam,
      {},
    )
    .addOption(
      new Option('--registry-url <url>', 'registry base URL (default: https://reyestr.court.gov.ua)').env(
        'REGISTRY_URL',
      ),
    )
    .option('--user-agent <string>', 'User-Agent to send')
    .option('--browser', 'search in headless Chromium instead of plain HTTP')
    .option('--rows <n>', 'rows to print', (value) => Number.parseInt(value, 10), 10)
    .option('--json', 'print JSON instead of a table')
    .action(
      async (options: {
        param: Record<string, string | string[]>;
        registryUrl?: string;
        userAgent?: string;
        browser?: boolean;
        rows: number;
        json?: boolean;
      }) => {
        // The registry library (HTTP client, parsers, the browser transport) loads only when a search runs.
        const { DEFAULT_REGISTRY_URL, RegistrySession } = await import('../registry/session.ts');
        const session = await RegistrySession.open({
          baseUrl: options.registryUrl ?? DEFAULT_REGISTRY_URL,
          userAgent: options.userAgent,
          transport: options.browser ? 'browser' : 'auto',
          // Someone is waiting at a terminal: an unreachable registry is said in a second or two (one quick retry),
          // not after the worker's patient backoff (4 retries up to 30 s apart: ~25 s of silence).
          politeness: { retries: 1, backoffMinMs: 500, backoffMaxMs: 1_000 },
          timeoutMs: SEARCH_TIMEOUT_MS,
        });
        try {
          const summary = await session.search(options.param);
          if (options.json) {
            const { firstPage, ...rest } = summary;
            output.out(`${JSON.stringify({ ...rest, rows: firstPage.slice(0, options.rows) }, null, 2)}\n`);
          } else {
            const capped = summary.capped ? ' (capped: the site shows only the first 100000; split the search)' : '';
            output.out(
              `total ${summary.total}, ${summary.pageCount} pages of ${summary.perPage}${capped}, via ${summary.transport}\n${rowsTable(summary, options.rows)}\n`,
            );
          }
        } catch (error) {
          reportFailure(error, output);
        } finally {
          await session.close();
        }
      },
    );

  return registry;
}
