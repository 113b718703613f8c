/**
 * One entry point for any registry page: tells what kind of page it is and parses it accordingly.
 * Order matters: a shown captcha or the error page wins over anything else on the page.
 */
import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import { parseDecisionPage, type DecisionPage } from './decision.ts';
import { parseFormPage, type FormPage } from './form.ts';
import { findErrorNotice, findShownCaptcha, type CaptchaNotice, type ErrorNotice } from './notices.ts';
import { FAST_HTML_OPTIONS } from './text.ts';
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

export function loadPage(html: string): CheerioAPI {
  return cheerio.load(html, FAST_HTML_OPTIONS);
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

export function parsePage(html: string): RegistryPage {
  const $ = loadPage(html);
  const kind = detectPageKind($);
  switch (kind) {
    case 'captcha':
      return { kind, ...findShownCaptcha($)! };
    case 'error':
      return { kind, ...findErrorNotice($)! };
    case 'review':
      return parseDecisionPage($);
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

export * from './decision.ts';
export * from './form.ts';
export * from './notices.ts';
export * from './results.ts';
export * from './text.ts';
