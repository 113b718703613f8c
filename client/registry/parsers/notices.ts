/**
 * Pages that are not content: the registry's error page and a shown captcha. Every page carries a
 * hidden captcha block (`#modalcaptcha`, display:none) and hidden login/feedback forms, so only a
 * visible captcha counts.
 */
import type { CheerioAPI } from 'cheerio';
import { normaliseWhitespace } from './text.ts';

export interface ErrorNotice {
  /** e.g. "Перегляд сторінки недоступний" */
  title: string;
  /** e.g. "Під час виконання пошуку виникла помилка" */
  message: string;
}

export interface CaptchaNotice {
  /** the prompt shown with the captcha, e.g. "Введіть cуму цифр, зображених на малюнку:" */
  prompt: string;
  imageUrl: string | null;
}

/** Only display:none counts: raw pages also hide the whole <body> with visibility:hidden until the site's JS runs. */
const hiddenStyle = /display\s*:\s*none/i;

/** The captcha block when it is shown (no inline `display:none` on it or its ancestors), else null. */
export function findShownCaptcha($: CheerioAPI): CaptchaNotice | null {
  const block = $('#modalcaptcha').first();
  if (block.length === 0) return null;
  const hidden = [
    block,
    ...block
      .parents()
      .toArray()
      .map((el) => $(el)),
  ].some((el) => hiddenStyle.test(el.attr('style') ?? ''));
  if (hidden) return null;
  return {
    prompt: normaliseWhitespace(block.find('#captchaQuery').text()),
    imageUrl: block.find('#backImage2').attr('src') ?? null,
  };
}

/**
 * The registry's error page: a caption + text box (`#divRules .divHeaderCaption` / `.divText`) where
 * the search form or the decision would be. Both must be absent, so a results or decision page that
 * happens to contain such a box is never mistaken for an error.
 */
export function findErrorNotice($: CheerioAPI): ErrorNotice | null {
  const caption = $('#divRules .divHeaderCaption').first();
  if (caption.length === 0 || $('#SearchExpression').length > 0 || $('#txtdepository').length > 0) return null;
  return {
    title: normaliseWhitespace(caption.text()),
    message: normaliseWhitespace($('#divRules .divText').first().text()),
  };
}
