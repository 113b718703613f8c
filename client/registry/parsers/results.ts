/**
 * A search results page: total, paging (with the site's 100,000-result cap), every row, and the
 * filters the page echoes as active. Also the "nothing found" page, which is the same page without
 * a result table.
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

export interface ResultsPage extends Paging {
  kind: 'results';
  rows: ResultRow[];
  activeFilters: SearchParams;
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

function parseRow($: CheerioAPI, row: Element): ResultRow {
  const cells = new Map<CellClass, string>();
  const $row = $(row);
  for (const cellClass of cellClasses)
    cells.set(cellClass, normaliseWhitespace($row.children(`td.${cellClass}`).first().text()));
  const link = $row.find('td.RegNumber a[href*="/Review/"]').first();
  const path = link.attr('href') ?? '';
  const documentId = /\/Review\/(\d+)/.exec(path)?.[1] ?? cells.get('RegNumber')!;
  const visibleCourtCode = $row.children('td.CourtCode').first();
  return {
    documentId,
    path: `/Review/${documentId}`,
    decisionForm: cells.get('VRType')!,
    adoptedOn: registryDate(cells.get('RegDate')),
    inForceOn: registryDate(cells.get('LawDate')),
    proceedingForm: cells.get('CSType')!,
    caseNumber: cells.get('CaseNumber')!,
    courtName: cells.get('CourtName')!,
    courtCode: visibleCourtCode.length > 0 ? normaliseWhitespace(visibleCourtCode.text()) : commentedCourtCode(row),
    judge: cells.get('ChairmenName')!,
  };
}

export function parseResultRows($: CheerioAPI): ResultRow[] {
  return $('#tableresult tr')
    .toArray()
    .filter((row) => $(row).children('td.RegNumber').length > 0)
    .map((row) => parseRow($, row));
}

export function hasResultRows($: CheerioAPI): boolean {
  return $('#tableresult td.RegNumber').length > 0;
}

export function parseResultsPage($: CheerioAPI): ResultsPage {
  return { kind: 'results', ...parsePaging($), rows: parseResultRows($), activeFilters: parseActiveFilters($) };
}

export function parseEmptyResultsPage($: CheerioAPI): EmptyResultsPage {
  return {
    kind: 'empty',
    ...parsePaging($),
    message: parseFooterTotal($).message,
    activeFilters: parseActiveFilters($),
  };
}
