/**
 * Pages of the fake registry, rendered from the real pages' structure (test/fixtures/registry):
 * the form, results pages (rows, totals, pager script, echoed filters), the empty-result page,
 * decision pages (real ones, and generated ones built on a real one), the error page, a shown captcha.
 */
import * as cheerio from 'cheerio';
import type { Document, Element } from 'domhandler';
import { SEARCH_FIELDS, type SearchParams } from '../../client/rules/search-fields.ts';
import { decisionBasics, type GeneratedRow } from './data.ts';
import { FIXTURE_DOCUMENT_IDS, readFixture } from './fixtures.ts';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Third-party scripts (analytics) would make a browser reach the internet: the fake never serves them. */
function withoutThirdPartyScripts(html: string): string {
  return html
    .replace(/<script[^>]*src="https?:\/\/[^"]*"[^>]*><\/script>/g, '')
    .replace(/document\.write\([^;]*\);/g, '');
}

export function formPage(): string {
  return withoutThirdPartyScripts(readFixture('home-rendered.html'));
}

export function errorPage(): string {
  return withoutThirdPartyScripts(readFixture('search-error.html'));
}

/** What the site's JS does to demand a captcha: `$('#modalcaptcha').show()`. */
export function showCaptcha(html: string): string {
  return html.replace(/(<div id="modalcaptcha"[^>]*?)\s*style="display:\s*none;?"/, '$1 style="display: inline;"');
}

function rowHtml(row: GeneratedRow, index: number, isLast: boolean): string {
  const stripe = index % 2 === 0 ? 'tr1' : 'tr2';
  const cell = (name: string, value: string, extra = '') =>
    `                <td class="${name} ${stripe}${extra}">${escapeHtml(value)}\n                </td>\n`;
  return `            <tr>
                <td class="RegNumber ${stripe}${isLast ? ' tdLeftBottomBorder' : ''}">
                    <a class="doc_text2" href="/Review/${row.documentId}" target="_blank">${row.documentId}</a>
                </td>
${cell('VRType', row.decisionForm)}${cell('RegDate', row.adoptedOn)}${cell('LawDate', `${row.inForceOn} `)}${cell('CSType', row.proceedingForm)}${cell('CaseNumber', row.caseNumber)}${cell('CourtName', row.courtName)}                <!--td class="CourtCode ${stripe}">${row.courtCode}
                </td-->
${cell('ChairmenName', row.judge, isLast ? ' tdRightBottomBorder' : '')}            </tr>
`;
}

/** The pager the site's script renders (3 + 7 + 3 buttons), so saved-DOM-like pages stay realistic. */
function pagerHtml(currentPage: number, pageCount: number): string {
  const button = (page: number | null, text: string, enabled: boolean) =>
    enabled && page !== null
      ? `<a href="/Page/${page}" class="enButton">${text}</a>`
      : `<a class="${text === '...' ? 'dotButton' : 'disButton'}">${text}</a>`;
  if (pageCount === 0) return '';
  const pages: Array<number | '...'> = [];
  const range = (from: number, to: number) => {
    for (let i = from; i <= to; i++) pages.push(i);
  };
  const bp = 13;
  if (pageCount <= bp) range(1, pageCount);
  else if (currentPage <= 7) {
    range(1, 10);
    pages.push('...');
    range(pageCount - 1, pageCount);
  } else if (currentPage > pageCount - 7) {
    range(1, 2);
    pages.push('...');
    range(pageCount - 9, pageCount);
  } else {
    range(1, 2);
    pages.push('...');
    range(currentPage - 3, currentPage + 3);
    pages.push('...');
    range(pageCount - 1, pageCount);
  }
  return [
    button(1, '«', currentPage !== 1),
    button(currentPage - 1, '&lt;', currentPage !== 1),
    ...pages.map((page) =>
      page === '...' ? button(null, '...', false) : button(page, String(page), page !== currentPage),
    ),
    button(currentPage + 1, '&gt;', currentPage !== pageCount),
    button(pageCount, '»', currentPage !== pageCount),
  ].join('');
}

/** Marks the active filters in the form the way the site does (checked boxes, input values, selected options). */
function echoFilters($: cheerio.CheerioAPI, params: SearchParams): void {
  // One pass over the form's named controls instead of a query over the whole page per field: the fake registry
  // renders a results page per search and per page asked for, in the test's own process.
  const controls = new Map<string, Element[]>();
  for (const el of $('input[name], select[name]').toArray()) {
    const key = `${el.tagName} ${el.attribs.name}`;
    const list = controls.get(key);
    if (list) list.push(el);
    else controls.set(key, [el]);
  }
  for (const field of SEARCH_FIELDS) {
    const value = params[field.name];
    if (field.kind === 'multi') {
      for (const el of controls.get(`input ${field.name}[]`) ?? []) {
        const box = $(el);
        if (Array.isArray(value) && value.includes(box.attr('value') ?? '')) box.attr('checked', 'checked');
        else box.removeAttr('checked');
      }
    } else if (field.kind === 'select') {
      const selected = typeof value === 'string' ? value : field.initial;
      $(controls.get(`select ${field.name}`) ?? [])
        .find('option')
        .each((_, el) => {
          if ($(el).attr('value') === selected) $(el).attr('selected', 'selected');
          else $(el).removeAttr('selected');
        });
    } else {
      $(controls.get(`input ${field.name}`) ?? []).attr('value', typeof value === 'string' ? value : '');
    }
  }
}

export interface ResultsView {
  params: SearchParams;
  total: number;
  perPage: number;
  currentPage: number;
  pageCount: number;
  rows: GeneratedRow[];
}

/** A message the site shows instead of the total when a search found nothing (exact live wording unknown). */
export const NOTHING_FOUND_MESSAGE = 'За заданими параметрами пошуку документів не знайдено';

/** The results fixture parsed once; each page edits a copy (copying the tree costs a fraction of parsing 88 kB). */
const resultsTemplate = (() => {
  let document: Document | null = null;
  return () => {
    document ??= cheerio
      .load(withoutThirdPartyScripts(readFixture('search-results-region11-instance1.html')))
      .root()[0];
    return document;
  };
})();

/** Where a page's total, pager and rows go in a filtered page (text that occurs nowhere in the fixture). */
const SLOT = /@@(TOTAL|PAGER|ROWS)@@/;

/**
 * The page with a search's filters echoed, split around the slots its page fills: a worker reads several pages of
 * one search, and the filters are the part that costs (a copy of the tree, the form's controls, serializing).
 * `parts` alternates text and slot names (split with the slot's name captured).
 */
const filteredPages = new Map<string, { parts: string[]; header: string }>();
function filteredPage(params: SearchParams, empty: boolean): { parts: string[]; header: string } {
  const key = `${empty}${JSON.stringify(params)}`;
  let page = filteredPages.get(key);
  if (page) return page;
  const $ = cheerio.load(resultsTemplate().cloneNode(true));
  echoFilters($, params);
  $('#divFooterSearch .td1').text('@@TOTAL@@');
  $('#divTopNavigate, #divBottomNavigate').text('@@PAGER@@');
  const header = $('#tableresult tr').first().toString();
  if (empty) $('#divresult').remove();
  else $('#tableresult tbody').text('@@ROWS@@');
  page = { parts: $.html().split(SLOT), header };
  if (filteredPages.size >= 200) filteredPages.clear();
  filteredPages.set(key, page);
  return page;
}

export function resultsPage(view: ResultsView): string {
  const empty = view.rows.length === 0;
  const { parts, header } = filteredPage(view.params, empty);
  const total = empty
    ? `<span>${NOTHING_FOUND_MESSAGE}</span>`
    : `<span>За заданими параметрами пошуку знайдено документів: ${view.total}</span>`;
  const pager = pagerHtml(view.currentPage, view.pageCount);
  const rows = `${header}\n${view.rows.map((row, i) => rowHtml(row, i, i === view.rows.length - 1)).join('')}`;
  const fills: Record<string, string> = { TOTAL: total, PAGER: pager, ROWS: rows };
  return parts
    .map((part, i) => (i % 2 === 1 ? fills[part] : part))
    .join('')
    .replace(/var ti = \d+;/, `var ti = ${view.total};`)
    .replace(/var pp = \d+;/, `var pp = ${view.perPage};`)
    .replace(/var cp = \d+;/, `var cp = ${view.currentPage};`);
}

export function emptyResultsPage(params: SearchParams = {}): string {
  return resultsPage({
    params,
    total: 0,
    perPage: Number(params['PagingInfo.ItemsPerPage'] ?? 25),
    currentPage: 1,
    pageCount: 0,
    rows: [],
  });
}

const REVIEW_TEMPLATE_ID = '101476997';

/** A real decision page split around the parts a generated decision replaces (built once). */
const reviewTemplate = (() => {
  let parts: string[] | null = null;
  return () => {
    if (parts) return parts;
    const $ = cheerio.load(withoutThirdPartyScripts(readFixture(`review/${REVIEW_TEMPLATE_ID}.html`)));
    $('#info tbody').html('@@INFO@@');
    $('#txtdepository').text('@@DECISION@@');
    parts = $.html().split(/@@INFO@@|@@DECISION@@/);
    return parts;
  };
})();

export function decisionPage(documentId: string): string {
  if ((FIXTURE_DOCUMENT_IDS as readonly string[]).includes(documentId))
    return withoutThirdPartyScripts(readFixture(`review/${documentId}.html`));
  const basics = decisionBasics(documentId);
  const cell = (html: string) => `<tr><td colspan="2" style="text-align:left;">${html}</td></tr>`;
  const caseForm = `<form style="margin: 0; padding: 0; display:inline!important;" id="ree_doc" target="_blank" action="https://reyestr.court.gov.ua" accept-charset="utf-8" method="POST"><div style="display:none;"><input style="display: inline;" name="CaseNumber" value="${basics.caseNumber}" type="text"><input style="display: inline;" name="PagingInfo.ItemsPerPage" value="25" type="text"><input style="display: inline;" name="Sort" value="1" type="text"></div><a style="display: inline;" id="tooltp" title="Натисніть для перегляду всіх судових рішень по справі" href="#">${basics.caseNumber}</a></form>`;
  const info = [
    cell(`Категорія&nbsp;справи № <b>${caseForm}: Цивільні справи (з 01.01.2019); Справи позовного провадження.</b>`),
    cell(
      `Надіслано судом: <b>${basics.adoptedOn}.</b> Зареєстровано: <b>${basics.adoptedOn}.</b> Забезпечено надання загального доступу: <b>${basics.adoptedOn}.</b>`,
    ),
    cell(basics.inForceOn ? `Дата набрання законної сили:&nbsp;<b>${basics.inForceOn}</b>` : ''),
    cell(`Номер судового провадження: <b>не визначено</b>`),
  ].join('\n');
  const paragraphs = [
    `Справа № ${basics.caseNumber}`,
    'Р І Ш Е Н Н Я',
    'ІМЕНЕМ УКРАЇНИ',
    `${basics.adoptedOn} суд у складі головуючого судді ${basics.judge} розглянув справу № ${basics.caseNumber} (документ ${documentId}).`,
    'ВИРІШИВ:',
    'Позов задовольнити.',
  ];
  const decision = `<html><head><title>Єдиний державний реєстр судових рішень</title></head><body>${paragraphs.map((text) => `<p align="justify"><span>${escapeHtml(text)}</span></p>`).join('\n')}</body></html>`;
  const [beforeInfo, beforeDecision, rest] = reviewTemplate();
  return `${beforeInfo}${info}${beforeDecision}${escapeHtml(decision)}${rest}`;
}
