// Results pages a session can trust: a page cut short is fetched again a bounded number of times, then fails the
// search; a page that is not results says why (no search yet, the site lost the session, another page kind); and
// a page's readable and unreadable rows are put back into table order. RegistrySession (./session.ts) supplies
// the fetching; the rules live here.
import type { Logger } from 'pino';
import { RegistryError } from '../rules/index.ts';
import type { RegistryPage, ResultRow, ResultsPage, UnreadableRow } from './parsers/index.ts';

/** A results page cut short is fetched this many more times before the search fails (PARSE, incomplete-page). */
export const INCOMPLETE_PAGE_RETRIES = 2;

export interface WholePageRequest {
  pageNumber: number;
  /** fetches and parses page `pageNumber` once */
  fetch: () => Promise<{ url: string; page: RegistryPage }>;
  /** page count of the session's search; null: the session has no search */
  searchPageCount: number | null;
  logger: Logger;
  /** the page as first read, when it came cut short (one attempt used) */
  cutShort?: ResultsPage;
}

/**
 * Results page n, whole: a page cut short (`complete: false`) is fetched again, up to INCOMPLETE_PAGE_RETRIES
 * times, and then fails the search (PARSE, reason incomplete-page) instead of losing its missing rows.
 */
export async function wholeResultsPage(request: WholePageRequest): Promise<ResultsPage> {
  const { pageNumber, cutShort, logger } = request;
  let reasons = cutShort?.incomplete ?? [];
  let url = '';
  for (let attempt = cutShort ? 1 : 0; attempt <= INCOMPLETE_PAGE_RETRIES; attempt++) {
    if (attempt > 0) logger.warn({ page: pageNumber, reasons }, 'results page is incomplete; fetching it again');
    const fetched = await request.fetch();
    url = fetched.url;
    const page = expectResults(fetched.page, url, request.searchPageCount);
    if (page.complete) return page;
    reasons = page.incomplete ?? [];
  }
  throw new RegistryError(
    'PARSE',
    `results page ${pageNumber} (${url}) came incomplete ${INCOMPLETE_PAGE_RETRIES + 1} times: ${reasons.join('; ')}`,
    { reason: 'incomplete-page', url },
  );
}

/** The page as results, or why it is not: no search in this session, the site lost the session, another kind. */
export function expectResults(page: RegistryPage, url: string, searchPageCount: number | null): ResultsPage {
  if (page.kind === 'results') return page;
  if (page.kind === 'empty' && searchPageCount === null) {
    throw new RegistryError(
      'REGISTRY_ERROR',
      `the registry answered ${url} with its empty-result page: this session has no search (call search() first)`,
      { reason: 'no-search', url },
    );
  }
  if (page.kind === 'empty') {
    throw new RegistryError(
      'REGISTRY_ERROR',
      `the registry answered ${url} with its empty-result page although the search has ${searchPageCount} pages: the site session was lost`,
      { reason: 'session-lost', url },
    );
  }
  throw new RegistryError('PARSE', `${url} is a ${page.kind} page, not results`, {
    reason: 'unexpected-page',
    url,
  });
}

/** The readable and the unreadable rows of a page merged back into table order. */
export function rowsInTableOrder(page: ResultsPage): Array<ResultRow | UnreadableRow> {
  const unreadable = new Map(page.unreadableRows.map((row) => [row.position, row]));
  const rows: Array<ResultRow | UnreadableRow> = [];
  for (let position = 1, readable = 0; position <= page.rows.length + unreadable.size; position++)
    rows.push(unreadable.get(position) ?? page.rows[readable++]);
  return rows;
}
