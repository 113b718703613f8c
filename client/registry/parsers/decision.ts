/**
 * A decision page (`/Review/<id>`): the metadata header `#divcasecat table#info`, the decision's own
 * HTML (HTML-escaped inside `textarea#txtdepository`), and its plain text laid out like the site's
 * print view (header lines, then the decision).
 */
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { registryDate, type RegistryDate } from '../../rules/index.ts';
import { DEFAULT_PAGE_LIMITS, type PageLimits } from './bounds.ts';
import { decodeEntities, htmlToTextLines, normaliseWhitespace, textLinesOfNodes } from './text.ts';

export interface DecisionMetadata {
  caseNumber: string | null;
  /** The category path as one string, e.g. "Цивільні справи (до 01.01.2019); Позовне провадження; …". */
  caseCategory: string | null;
  sentOn: RegistryDate | null;
  registeredOn: RegistryDate | null;
  publishedOn: RegistryDate | null;
  inForceOn: RegistryDate | null;
  /** null when the site says it is undefined ("не визначено", "-"). */
  proceedingNumber: string | null;
}

export interface DecisionPage {
  kind: 'review';
  metadata: DecisionMetadata;
  /** The decision document as the court submitted it (an HTML document). */
  html: string;
  /** Header lines + decision text, one paragraph per line. */
  text: string;
}

/** Labels of the header, matched at the start of the text that precedes each bold value. */
const labelledFields: ReadonlyArray<[RegExp, Exclude<keyof DecisionMetadata, 'caseNumber' | 'caseCategory'>]> = [
  [/Надіслано\s+судом/i, 'sentOn'],
  [/Зареєстровано/i, 'registeredOn'],
  [/Забезпечено\s+надання\s+загального\s+доступу/i, 'publishedOn'],
  [/Дата\s+набрання\s+законної\s+сили/i, 'inForceOn'],
  [/Номер\s+судового\s+провадження/i, 'proceedingNumber'],
];

const UNDEFINED_VALUES = new Set(['', '-', '—', 'не визначено']);

function definedOrNull(value: string): string | null {
  const trimmed = value.replace(/\.$/, '').trim();
  return UNDEFINED_VALUES.has(trimmed.toLowerCase()) ? null : trimmed;
}

/** Value of each `<b>` in the header, keyed by the label text right before it. */
function labelledValues($: CheerioAPI, info: Element): Map<string, string> {
  const values = new Map<string, string>();
  $(info)
    .find('td')
    .each((_, cell) => {
      let label = '';
      for (const node of cell.children as AnyNode[]) {
        if (node.type === 'text') label += node.data;
        else if (node.type === 'tag' && node.name === 'b') {
          const field = labelledFields.find(([pattern]) => pattern.test(normaliseWhitespace(label)));
          if (field) values.set(field[1], normaliseWhitespace($(node).text()));
          label = '';
        }
      }
    });
  return values;
}

/** "Категорія справи № <form…>2-а-2968/11</form>: category path." */
function parseCaseHeader($: CheerioAPI): Pick<DecisionMetadata, 'caseNumber' | 'caseCategory'> {
  const form = $('#info form#ree_doc').first();
  const caseNumber = form.find('input[name="CaseNumber"]').attr('value') ?? normaliseWhitespace(form.find('a').text());
  const afterForm =
    form.length > 0
      ? form
          .parent()
          .contents()
          .toArray()
          .slice(form.parent().contents().index(form) + 1)
      : [];
  const category = normaliseWhitespace(afterForm.map((node) => $(node).text()).join('')).replace(/^:\s*/, '');
  return { caseNumber: definedOrNull(caseNumber), caseCategory: definedOrNull(category) };
}

export function parseDecisionMetadata($: CheerioAPI): DecisionMetadata {
  const info = $('#divcasecat table#info, table#info').first().get(0);
  const values = info ? labelledValues($, info) : new Map<string, string>();
  const date = (key: string) => {
    const value = definedOrNull(values.get(key) ?? '');
    return value === null ? null : registryDate(value);
  };
  return {
    ...parseCaseHeader($),
    sentOn: date('sentOn'),
    registeredOn: date('registeredOn'),
    publishedOn: date('publishedOn'),
    inForceOn: date('inForceOn'),
    proceedingNumber: values.has('proceedingNumber') ? definedOrNull(values.get('proceedingNumber')!) : null,
  };
}

/** `<textarea id="txtdepository">`: its content is raw text up to the first `</textarea` (RCDATA, as htmlparser2 reads it). */
export const DECISION_TEXTAREA = /<textarea\b[^>]*\bid\s*=\s*["']?txtdepository\b[^>]*>/i;

/**
 * Splits a decision page into the page around the decision (small: parsed as a DOM) and the decision's escaped HTML
 * (megabytes at times: never built as a DOM). `escapedDecision` is null when the page has no such textarea.
 */
export function takeOutDecision(html: string): { chrome: string; escapedDecision: string | null } {
  const open = DECISION_TEXTAREA.exec(html);
  if (!open) return { chrome: html, escapedDecision: null };
  const start = open.index + open[0].length;
  const close = /<\/textarea/gi;
  close.lastIndex = start;
  const end = close.exec(html)?.index ?? html.length;
  return { chrome: html.slice(0, start) + html.slice(end), escapedDecision: html.slice(start, end) };
}

/** `decisionHtml`: the decision's HTML when the caller decoded it from the textarea (else it is read from the DOM). */
export function parseDecisionPage(
  $: CheerioAPI,
  decisionHtml: string | null = null,
  limits: PageLimits = DEFAULT_PAGE_LIMITS,
): DecisionPage {
  // The textarea holds the decision's HTML entity-escaped; htmlparser2 leaves textarea content raw.
  const html = decisionHtml ?? decodeEntities($('textarea#txtdepository').first().text());
  const headerLines = textLinesOfNodes($('#divcasecat table#info, table#info').first().toArray());
  return {
    kind: 'review',
    metadata: parseDecisionMetadata($),
    html,
    text: [...headerLines, ...htmlToTextLines(html, limits)].join('\n'),
  };
}
