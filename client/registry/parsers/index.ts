/**
 * One entry point for any registry page: tells what kind of page it is and parses it accordingly.
 * Order matters: a shown captcha or the error page wins over anything else on the page.
 */
import type { CheerioAPI } from 'cheerio';
import {
  checkPageSize,
  DEFAULT_PAGE_LIMITS,
  loadBoundedPage,
  namingPage,
  pageTooLarge,
  type PageLimits,
} from './bounds.ts';
import { decodeBytes, decodeInChunks, findDecisionBytes, pageEncoding } from './encoding.ts';
import { decodeEntities } from './text.ts';
import { parseDecisionPage, takeOutDecision, type DecisionPage } from './decision.ts';
import { parseFormPage, type FormPage } from './form.ts';
import { findErrorNotice, findShownCaptcha, type CaptchaNotice, type ErrorNotice } from './notices.ts';
import {
  hasResultRows,
  parseEmptyResultsPage,
  parseFooterTotal,
  parseResultsPage,
  type EmptyResultsPage,
  type ResultsPage,
} from './results.ts';

export type RegistryPage =
  | FormPage
  | ResultsPage
  | EmptyResultsPage
  | DecisionPage
  | ({ kind: 'error' } & ErrorNotice)
  | ({ kind: 'captcha' } & CaptchaNotice)
  | { kind: 'unknown'; title: string };

export type PageKind = RegistryPage['kind'];

/** A page's DOM, within the limits (RegistryError PARSE past them). */
export function loadPage(html: string, limits: PageLimits = DEFAULT_PAGE_LIMITS): CheerioAPI {
  return loadBoundedPage(html, limits);
}

export function detectPageKind($: CheerioAPI): PageKind {
  if (findShownCaptcha($)) return 'captcha';
  if (findErrorNotice($)) return 'error';
  if ($('#txtdepository').length > 0 || $('#divcasecat table#info').length > 0) return 'review';
  if (hasResultRows($)) return 'results';
  if ($('#SearchExpression').length > 0) {
    // The bare form has an empty footer; after a search without results the footer says so.
    return parseFooterTotal($).message === '' ? 'form' : 'empty';
  }
  return 'unknown';
}

/**
 * Any page, parsed within `limits`: a page too large, too deeply nested or with too many elements is refused with a
 * RegistryError (class PARSE) instead of taking the process's memory or minutes of CPU.
 */
export function parsePage(html: string, limits: PageLimits = DEFAULT_PAGE_LIMITS): RegistryPage {
  checkPageSize(html, limits);
  const { chrome, escapedDecision } = takeOutDecision(html);
  return parseAroundDecision(chrome, escapedDecision === null ? null : () => decodeEntities(escapedDecision), limits);
}

export interface PageBytesOptions {
  /** the charset the Content-Type header names */
  charset?: string;
  limits?: PageLimits;
  /** for error messages */
  url?: string;
}

/**
 * A page as it came over the wire: decoded by its declared charset (not UTF-8 without saying so → RegistryError
 * PARSE), and a decision's HTML decoded straight from the bytes a chunk at a time (see encoding.ts).
 */
export function parsePageBytes(bytes: Buffer, options: PageBytesOptions = {}): RegistryPage {
  return namingPage(options.url, () => parseBytes(bytes, options));
}

function parseBytes(bytes: Buffer, options: PageBytesOptions): RegistryPage {
  const limits = options.limits ?? DEFAULT_PAGE_LIMITS;
  if (bytes.length > limits.maxBytes) throw pageTooLarge(bytes.length, limits.maxBytes, options.url);
  const encoding = pageEncoding(bytes, options.charset, options.url);
  const decision = findDecisionBytes(bytes, encoding);
  if (!decision) return parsePage(decodeBytes(bytes, encoding), limits);
  const chrome =
    decodeBytes(bytes.subarray(0, decision.start), encoding) +
    decodeBytes(bytes.subarray(decision.end), encoding, false);
  return parseAroundDecision(chrome, () => decodeInChunks(bytes, decision, encoding, decodeEntities), limits);
}

/** `chrome`: the page without the decision's text; `decisionHtml`: decodes that text when the page is a decision. */
function parseAroundDecision(chrome: string, decisionHtml: (() => string) | null, limits: PageLimits): RegistryPage {
  const $ = loadBoundedPage(chrome, limits);
  const kind = detectPageKind($);
  switch (kind) {
    case 'captcha':
      return { kind, ...findShownCaptcha($)! };
    case 'error':
      return { kind, ...findErrorNotice($)! };
    case 'review':
      return parseDecisionPage($, decisionHtml?.() ?? null, limits);
    case 'results':
      return parseResultsPage($);
    case 'empty':
      return parseEmptyResultsPage($);
    case 'form':
      return parseFormPage($);
    case 'unknown':
      return { kind, title: $('title').first().text().trim() };
  }
}

export * from './bounds.ts';
export * from './decision.ts';
export * from './encoding.ts';
export * from './form.ts';
export * from './notices.ts';
export * from './results.ts';
export * from './text.ts';
