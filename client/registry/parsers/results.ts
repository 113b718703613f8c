/**
 * A search results page: total, paging (with the site's 100,000-result cap), every row, and the
 * filters the page echoes as active. Also the "nothing found" page, which is the same page without
 * a result table.
 *
 * A results page must prove it is whole: a page cut off mid-table parses into fewer rows (the last one
 * partial) and would otherwise lose the rest without a word. It holds the rows its paging says (the total
 * and the page number come before the table) and the pager that follows the table; else `complete` is
 * false and `incomplete` says why. A row without a `/Review/<digits>` link is kept apart as unreadable.
 */
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { RESULT_CAP, registryDate, type RegistryDate, type SearchParams } from '../../rules/index.ts';
import { parseActiveFilters } from './form.ts';
import { normaliseWhitespace } from './text.ts';

export interface ResultRow {
  documentId: string;
  /** `/Review/<documentId>`, relative to the registry. */
  path: string;
  decisionForm: string;
  adoptedOn: RegistryDate;
  inForceOn: RegistryDate;
  proceedingForm: string;
  caseNumber: string;
  courtName: string;
  /** Only present in an HTML comment of each row; null when the site drops it. */
  courtCode: string | null;
  judge: string;
}

export interface Paging {
  total: number;
  perPage: number;
  currentPage: number;
  /** Pages the site will serve: ceil(min(total, 100000) / perPage). */
  pageCount: number;
  /** True when the search has more results than the site will ever show. */
  capped: boolean;
}

/** A row of the table that names no decision (`/Review/<digits>`): one document that cannot be downloaded. */
export interface UnreadableRow {
  /** 1-based position among the page's rows */
  position: number;
  reason: string;
  /** the row's text, shortened */
  text: string;
}

export interface ResultsPage extends Paging {
  kind: 'results';
  /** the readable rows, in table order */
  rows: ResultRow[];
  unreadableRows: UnreadableRow[];
  activeFilters: SearchParams;
  /** The page proves it is whole: the rows its paging says it holds, and the structure after the table. */
  complete: boolean;
  /** Why the page is not whole (present only then). */
  incomplete?: string[];
}

export interface EmptyResultsPage extends Paging {
  kind: 'empty';
  /** The message in place of the total, e.g. that nothing was found. */
  message: string;
  activeFilters: SearchParams;
}

const cellClasses = [
  'RegNumber',
  'VRType',
  'RegDate',
  'LawDate',
  'CSType',
  'CaseNumber',
  'CourtName',
  'ChairmenName',
] as const;
type CellClass = (typeof cellClasses)[number];

/** The pager script: `var ti = <total>; var pp = <per page>; ... var cp = <current page>;` */
function scriptNumber(scripts: string, variable: string): number | null {
  const match = new RegExp(`\\bvar\\s+${variable}\\s*=\\s*(\\d+)\\s*;`).exec(scripts);
  return match ? Number(match[1]) : null;
}

/** The total as the footer states it ("…знайдено документів: 4735541"), or null. */
export function parseFooterTotal($: CheerioAPI): { total: number | null; message: string } {
  const message = normaliseWhitespace($('#divFooterSearch .td1').text() || $('#divFooterSearch').text());
  const match = /(\d[\d\s\u00a0]*)\s*$/.exec(message) ?? /:\s*(\d[\d\s\u00a0]*)/.exec(message);
  return { total: match ? Number(match[1].replace(/\D/g, '')) : null, message };
}

export function parsePaging($: CheerioAPI): Paging {
  const scripts = $('script')
    .toArray()
    .map((el) => $(el).text())
    .join('\n');
  const footer = parseFooterTotal($);
  const total = footer.total ?? scriptNumber(scripts, 'ti') ?? 0;
  const selectedPerPage = $('select[name="PagingInfo.ItemsPerPage"] option[selected]').attr('value');
  const perPage = scriptNumber(scripts, 'pp') ?? (selectedPerPage ? Number(selectedPerPage) : 25);
  const currentButton = $('#divTopNavigate a.disButton, #divBottomNavigate a.disButton')
    .toArray()
    .map((el) => normaliseWhitespace($(el).text()))
    .find((text) => /^\d+$/.test(text));
  const currentPage = scriptNumber(scripts, 'cp') ?? (currentButton ? Number(currentButton) : 1);
  return {
    total,
    perPage,
    currentPage,
    pageCount: Math.ceil(Math.min(total, RESULT_CAP) / perPage),
    capped: total > RESULT_CAP,
  };
}

/** `<!--td class="CourtCode tr1">1015 </td-->`: the court code survives only as a comment. */
function commentedCourtCode(row: Element): string | null {
  for (const node of row.children as AnyNode[]) {
    if (node.type !== 'comment') continue;
    const match = /class="CourtCode[^"]*"\s*>([^<]*)/.exec(node.data);
    if (match) return normaliseWhitespace(match[1]) || null;
  }
  return null;
}

/**
 * The row's first `<td>` child of each class, as `$row.children('td.<class>').first()` finds it, in one pass over the
 * children: a selector per cell compiled its CSS again for each of a page's 100 rows.
 */
function cellsByClass(row: Element): Map<string, Element> {
  const cells = new Map<string, Element>();
  for (const child of row.children) {
    if (child.type !== 'tag' || child.name !== 'td') continue;
    for (const name of (child.attribs.class ?? '').split(/[\t\n\f\r ]+/))
      if (name && !cells.has(name)) cells.set(name, child);
  }
  return cells;
}

function parseRow($: CheerioAPI, row: Element, tds: Map<string, Element>, position: number): ResultRow | UnreadableRow {
  const cells = new Map<CellClass, string>();
  const $row = $(row);
  for (const cellClass of cellClasses) {
    const cell = tds.get(cellClass);
    cells.set(cellClass, cell ? normaliseWhitespace($(cell).text()) : '');
  }
  const link = (selector: string) => $row.find(selector).first().attr('href');
  const path = link('td.RegNumber a[href*="/Review/"]') ?? link('td.RegNumber a[href]') ?? '';
  const documentId = /\/Review\/(\d+)/.exec(path)?.[1];
  if (!documentId) {
    const text = normaliseWhitespace($row.text());
    return {
      position,
      reason: `row ${position} has no /Review/<digits> link${path ? ` (its link is ${JSON.stringify(path.slice(0, 100))})` : ''}`,
      text: text.length > 200 ? `${text.slice(0, 200)}…` : text,
    };
  }
  const visibleCourtCode = tds.get('CourtCode');
  return {
    documentId,
    path: `/Review/${documentId}`,
    decisionForm: cells.get('VRType')!,
    adoptedOn: registryDate(cells.get('RegDate')),
    inForceOn: registryDate(cells.get('LawDate')),
    proceedingForm: cells.get('CSType')!,
    caseNumber: cells.get('CaseNumber')!,
    courtName: cells.get('CourtName')!,
    courtCode: visibleCourtCode ? normaliseWhitespace($(visibleCourtCode).text()) : commentedCourtCode(row),
    judge: cells.get('ChairmenName')!,
  };
}

const isUnreadable = (row: ResultRow | UnreadableRow): row is UnreadableRow => 'reason' in row;

/** Every row of the table in order; the ones naming no decision are UnreadableRow. */
export function parseResultRows($: CheerioAPI): Array<ResultRow | UnreadableRow> {
  return $('#tableresult tr')
    .toArray()
    .map((row) => ({ row, tds: cellsByClass(row) }))
    .filter(({ tds }) => tds.has('RegNumber'))
    .map(({ row, tds }, index) => parseRow($, row, tds, index + 1));
}

export function hasResultRows($: CheerioAPI): boolean {
  return $('#tableresult td.RegNumber').length > 0;
}

/** Rows page `currentPage` must hold: a full page, fewer on the last one (of the results the site shows). */
export function expectedRowsOf(paging: Paging): number {
  const shown = Math.min(paging.total, RESULT_CAP);
  return Math.max(0, Math.min(paging.perPage, shown - (paging.currentPage - 1) * paging.perPage));
}

/** Why a results page is not whole ([] when it is). */
function incompleteness($: CheerioAPI, paging: Paging, rowCount: number): string[] {
  const reasons: string[] = [];
  const expected = expectedRowsOf(paging);
  if (rowCount < expected)
    reasons.push(
      `${rowCount} rows where the paging says ${expected} (page ${paging.currentPage} of ${paging.total} results, ${paging.perPage} per page)`,
    );
  // The pager follows the result table: without it the table may have been cut off anywhere.
  if ($('#divBottomNavigate').length === 0)
    reasons.push('the page ends before the pager that follows the result table');
  return reasons;
}

export function parseResultsPage($: CheerioAPI): ResultsPage {
  const paging = parsePaging($);
  const all = parseResultRows($);
  const incomplete = incompleteness($, paging, all.length);
  return {
    kind: 'results',
    ...paging,
    rows: all.filter((row): row is ResultRow => !isUnreadable(row)),
    unreadableRows: all.filter(isUnreadable),
    activeFilters: parseActiveFilters($),
    complete: incomplete.length === 0,
    ...(incomplete.length > 0 ? { incomplete } : {}),
  };
}

export function parseEmptyResultsPage($: CheerioAPI): EmptyResultsPage {
  return {
    kind: 'empty',
    ...parsePaging($),
    message: parseFooterTotal($).message,
    activeFilters: parseActiveFilters($),
  };
}
