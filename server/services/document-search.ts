// Finding decisions: filtered, full-text searched (server/search), ranked or by date, a page at a time with
// highlighted snippets; and counts grouped by region, court, judge, form, kind, year or month. Every read
// runs under a statement timeout so no search can hold the gate's database.
import { catalogueLabel, courtRegions, decisionForms, instances, proceedingForms } from '../../client/rules/index.ts';
import { prisma } from '../db/database.ts';
import type { DocumentFilter } from '../db/sql/document-filter.ts';
import { DIMENSIONS, documentStats as statsRows, type StatsDimension } from '../db/sql/document-stats.ts';
import { setStatementTimeout } from '../db/sql/set-statement-timeout.ts';
import {
  countDocuments,
  type DocumentOrder,
  estimateDocuments,
  searchDocumentIds,
} from '../db/sql/search-documents.ts';
import type { Document } from '../generated/prisma/client.ts';
import { makeSnippet, parseSearchQuery, type SearchQuery, SearchQueryError } from '../search/index.ts';
import { type Actor, requireActor } from './actor.ts';
import { type DocumentFilterInput, parseDocumentFilter } from './document-filter.ts';
import { GateError, badInput } from './errors.ts';
import { readStoredParts } from './stored-parts.ts';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;
/** Pages are offsets; deeper than this, narrow the filter (or export, which walks a cursor). */
export const MAX_OFFSET = 10_000;
/** totalCount is exact up to this many matches; past it, the planner's estimate (totalCountExact: false). */
export const COUNT_CAP = 10_000;
export const MAX_STATS_GROUPS = 5_000;
let statementTimeoutMs = 5_000;

/** The statement timeout of searches and statistics (config SEARCH_TIMEOUT_MS; tests lower it). */
export function configureSearch(options: { statementTimeoutMs?: number }) {
  if (options.statementTimeoutMs) statementTimeoutMs = options.statementTimeoutMs;
}

type Tx = Parameters<Parameters<typeof prisma.$transaction>[0]>[0];

/**
 * Runs reads in one transaction with `SET LOCAL statement_timeout`: a query past it is cancelled by the
 * server and becomes QUERY_TIMEOUT. (PGlite runs in-process and single-session: it has no timer to cancel
 * with, so there the limit is the page size and the counting cap.)
 */
export async function withStatementTimeout<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await prisma.$transaction(
      async (tx) => {
        await setStatementTimeout(tx, statementTimeoutMs);
        return fn(tx);
      },
      { timeout: statementTimeoutMs + 5_000, maxWait: 10_000 },
    );
  } catch (error) {
    if (
      /57014|statement timeout|canceling statement/i.test(
        `${(error as Error)?.message} ${JSON.stringify((error as { cause?: unknown }).cause ?? '')}`,
      )
    )
      throw new GateError(
        'QUERY_TIMEOUT',
        `the search took longer than ${statementTimeoutMs} ms: narrow it down (filters, dates, fewer words)`,
      );
    throw error;
  }
}

/** A search text → its tsquery; a text with nothing to search for is BAD_USER_INPUT. */
export function parseQuery(query: string | null | undefined): SearchQuery | null {
  if (query == null || query.trim() === '') return null;
  try {
    return parseSearchQuery(query);
  } catch (error) {
    if (error instanceof SearchQueryError)
      throw badInput(`query: ${error.message}`, [{ path: ['query'], message: error.message }]);
    throw error;
  }
}

export interface SearchInput {
  filter?: DocumentFilterInput | null;
  query?: string | null;
  orderBy?: DocumentOrder | null;
  first?: number | null;
  offset?: number | null;
}

export interface DocumentHit {
  document: Document;
  /** ts_rank_cd of the hit (relevance order only) */
  rank: number | null;
  /** a stretch of the text with the matched words in <mark>, the rest HTML-escaped; null without a query or text */
  snippet: string | null;
}

export interface SearchResult {
  hits: DocumentHit[];
  totalCount: number;
  totalCountExact: boolean;
  offset: number;
  hasNextPage: boolean;
}

function pageOf(first: number | null | undefined, offset: number | null | undefined) {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
    throw badInput(`first: a page holds 1 to ${MAX_PAGE_SIZE} documents`, [
      { path: ['first'], message: `must be 1 to ${MAX_PAGE_SIZE}` },
    ]);
  const skip = offset ?? 0;
  if (!Number.isInteger(skip) || skip < 0 || skip > MAX_OFFSET)
    throw badInput(`after: pages go ${MAX_OFFSET} documents deep at most; narrow the filter or export`, [
      { path: ['after'], message: `offset must be 0 to ${MAX_OFFSET}` },
    ]);
  return { size, skip };
}

/** How many documents match: exact up to COUNT_CAP, the planner's estimate beyond. */
async function matchCount(tx: Tx, filter: DocumentFilter): Promise<{ totalCount: number; exact: boolean }> {
  const counted = await countDocuments(tx, filter, COUNT_CAP);
  if (counted <= COUNT_CAP) return { totalCount: counted, exact: true };
  return { totalCount: Math.max(COUNT_CAP + 1, await estimateDocuments(tx, filter)), exact: false };
}

/** The count of documents a (validated) filter matches, for an export's progress. */
export const countMatching = (filter: DocumentFilter) => withStatementTimeout((tx) => matchCount(tx, filter));

export async function searchDocuments(actor: Actor | null, input: SearchInput): Promise<SearchResult> {
  requireActor(actor);
  const filter: DocumentFilter = parseDocumentFilter(input.filter);
  const query = parseQuery(input.query);
  if (query) filter.tsquery = query.tsquery;
  const order: DocumentOrder = input.orderBy ?? (query ? 'RELEVANCE' : 'ADOPTED_ON_DESC');
  const { size, skip } = pageOf(input.first, input.offset);
  return withStatementTimeout(async (tx) => {
    const found = await searchDocumentIds(tx, filter, order, size + 1, skip);
    const page = found.slice(0, size);
    const ids = page.map((hit) => hit.id);
    const rows = await tx.document.findMany({ where: { id: { in: ids } } });
    // Snippets come from the texts in the document store (the only copy), read for this page only.
    const texts = query ? await readStoredParts(tx, rows, 'text') : new Map<string, string>();
    const byId = new Map(rows.map((row) => [row.id, row]));
    // A last page tells its own total; only a page with more after it needs the count.
    const { totalCount, exact } =
      found.length <= size && (skip === 0 || page.length > 0)
        ? { totalCount: skip + page.length, exact: true }
        : await matchCount(tx, filter);
    return {
      hits: page.flatMap(({ id, rank }) => {
        const document = byId.get(id);
        if (!document) return [];
        const text = texts.get(document.documentId);
        return [{ document, rank, snippet: query && text ? makeSnippet(text, query.highlight) : null }];
      }),
      totalCount,
      totalCountExact: exact,
      offset: skip,
      hasNextPage: found.length > size,
    };
  });
}

export type { StatsDimension };

export interface StatsGroup {
  courtRegion?: string | null;
  courtRegionName?: string | null;
  courtName?: string | null;
  judge?: string | null;
  decisionForm?: string | null;
  decisionFormName?: string | null;
  proceedingForm?: string | null;
  proceedingFormName?: string | null;
  instance?: string | null;
  instanceName?: string | null;
  year?: number | null;
  month?: string | null;
  count: number;
}

const label = (catalogue: typeof courtRegions, code: unknown) =>
  typeof code === 'string' ? (catalogueLabel(catalogue, code) ?? null) : null;

export async function documentStats(
  actor: Actor | null,
  input: { groupBy: StatsDimension[]; filter?: DocumentFilterInput | null; query?: string | null },
): Promise<{ groups: StatsGroup[]; truncated: boolean; total: number }> {
  requireActor(actor);
  const groupBy = [...new Set(input.groupBy)];
  if (groupBy.length === 0 || groupBy.some((d) => !(d in DIMENSIONS)))
    throw badInput(`groupBy: give one or more of ${Object.keys(DIMENSIONS).join(', ')}`, [
      { path: ['groupBy'], message: 'give one or more dimensions' },
    ]);
  const filter = parseDocumentFilter(input.filter);
  const query = parseQuery(input.query);
  if (query) filter.tsquery = query.tsquery;
  const rows = await withStatementTimeout((tx) => statsRows(tx, groupBy, filter, MAX_STATS_GROUPS + 1));
  const groups = rows.slice(0, MAX_STATS_GROUPS).map((row) => ({
    ...row,
    ...('courtRegion' in row ? { courtRegionName: label(courtRegions, row.courtRegion) } : {}),
    ...('decisionForm' in row ? { decisionFormName: label(decisionForms, row.decisionForm) } : {}),
    ...('proceedingForm' in row ? { proceedingFormName: label(proceedingForms, row.proceedingForm) } : {}),
    ...('instance' in row ? { instanceName: label(instances, row.instance) } : {}),
  })) as StatsGroup[];
  return {
    groups,
    truncated: rows.length > MAX_STATS_GROUPS,
    total: groups.reduce((sum, g) => sum + g.count, 0),
  };
}
