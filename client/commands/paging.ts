/**
 * List commands over the gate's connections (`tasks list`, `documents list`): `--limit n` rows (any number;
 * fetched 500 a page), `--all` every row, `--after <cursor>` to continue where a page stopped. Rows are printed
 * page by page as they arrive, so `--all` over a million tasks needs no more memory than one page; a listing
 * that stopped early ends with the hint for the next page.
 */
import { type Command, Option } from 'commander';
import { int, type Output } from './support.ts';

/** The gate's largest page (the schema's maxConnectionSize). */
export const PAGE_SIZE = 500;

export interface PageOptions {
  limit: number;
  all?: boolean;
  after?: string;
}

export interface Page<T> {
  totalCount: number;
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** `--limit`, `--all` and `--after`. */
export const pageOptions = (command: Command, noun: string) =>
  command
    .option('--limit <n>', `at most this many ${noun}s (default 50)`, int('--limit', 1), 50)
    .addOption(new Option('--all', `every matching ${noun}, ${PAGE_SIZE} a page`))
    .option('--after <cursor>', 'continue after this cursor (the end of the previous page says it)');

/** Fetches pages until `--limit` rows (or, with `--all`, every row) have come. */
export async function* pages<T>(
  fetchPage: (first: number, after: string | undefined) => Promise<Page<T>>,
  o: PageOptions,
): AsyncGenerator<Page<T>> {
  let wanted = o.all ? Number.POSITIVE_INFINITY : o.limit;
  let after = o.after;
  for (;;) {
    const page = await fetchPage(Math.min(PAGE_SIZE, wanted), after);
    wanted -= page.nodes.length;
    yield page;
    if (!page.hasNextPage || wanted <= 0 || page.nodes.length === 0) return;
    after = page.endCursor ?? undefined;
  }
}

export interface ListPrinter<T> {
  output: Output;
  json?: boolean;
  /** what a row is, for the summary line ("task" → "50 of 700 task(s)") */
  noun: string;
  /** the JSON key of the rows: "tasks", "documents" */
  key: string;
  header: string[];
  row(node: T): Array<string | number | null | undefined>;
}

/**
 * Prints the pages as they come: a table whose header is printed once (columns as wide as the widest cell
 * seen so far), then `n of total noun`, and the next page's cursor when rows are left. With --json the same
 * object `{ totalCount, <key>: [...], nextCursor }` that one JSON.stringify would print, written row by row.
 */
export async function printPages<T>(source: AsyncIterable<Page<T>>, p: ListPrinter<T>): Promise<void> {
  let printed = 0;
  let last: Page<T> | undefined;
  let widths = p.header.map((title) => title.length);
  for await (const page of source) {
    if (p.json) {
      if (!last) p.output.out(`{\n  "totalCount": ${page.totalCount},\n  ${JSON.stringify(p.key)}: [`);
      for (const node of page.nodes)
        p.output.out(`${printed++ ? ',' : ''}\n${JSON.stringify(node, null, 2).replace(/^/gm, '    ')}`);
    } else {
      const cells = page.nodes.map((node) => p.row(node).map((cell) => (cell == null ? '-' : String(cell))));
      widths = widths.map((width, column) => Math.max(width, ...cells.map((row) => row[column].length)));
      const line = (row: string[]) =>
        row
          .map((cell, column) => cell.padEnd(widths[column]))
          .join('  ')
          .trimEnd();
      if (!last) p.output.out(`${line(p.header)}\n`);
      if (cells.length) p.output.out(`${cells.map(line).join('\n')}\n`);
      printed += cells.length;
    }
    last = page;
  }
  const next = last?.hasNextPage ? last.endCursor : null;
  if (p.json) {
    p.output.out(`${printed ? '\n  ' : ''}],\n  "nextCursor": ${JSON.stringify(next)}\n}\n`);
    return;
  }
  const summary = `${printed} of ${last?.totalCount ?? 0} ${p.noun}(s)`;
  p.output.out(next ? `${summary}; next page: --after ${next} (every row: --all)\n` : `${summary}\n`);
}
