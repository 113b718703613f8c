/**
 * Bounds on what the parsers take in, so that no page — a huge decision, a broken or hostile one — can use up a
 * worker's heap or minutes of CPU. A page over `maxBytes` is refused before it is read (HTTP) or parsed; while a
 * page is parsed, elements nested deeper than `maxDepth` or more than `maxElements` elements in its DOM are refused.
 *
 * Why these three: parse time is linear in the bytes only while nesting stays shallow (htmlparser2 keeps its stack of
 * open elements with `unshift`, so 40,000 nested tags already take seconds and 4 million take hours), and a DOM costs
 * a few hundred bytes per element, so a flat page of millions of tiny elements would not fit a bounded heap. The
 * registry's own pages nest about 25 deep and hold about 1,000 elements; a decision's text is never built as a DOM
 * (see text.ts), so its size counts only against `maxBytes`.
 */
import type { CheerioAPI } from 'cheerio';
// cheerio's slim entry: the same load() on htmlparser2's DOM (what FAST_HTML_OPTIONS asks for anyway), without
// the main entry's parse5, encoding sniffing and undici (its fromURL), which cost every worker ~0.18 s of CPU to
// import (0.29 → 0.11 s for a bare import) and that nothing here uses.
import { load } from 'cheerio/slim';
import { DomHandler } from 'domhandler';
import { Parser } from 'htmlparser2';
import { RegistryError } from '../../rules/index.ts';

import { DEFAULT_PAGE_LIMITS, MIB, type PageLimits } from './page-limits.ts';

export { DEFAULT_PAGE_LIMITS, MIB, type PageLimits };

/**
 * htmlparser2 instead of cheerio's default parse5: ~8× faster on the registry's pages, and every
 * selector the parsers use works the same (the parser tests run on every fixture page).
 */
export const FAST_HTML_OPTIONS = { xml: { xmlMode: false, decodeEntities: true } } as const;
export const PARSER_OPTIONS = { xmlMode: false, decodeEntities: true } as const;

const megabytes = (bytes: number) => `${Math.round((bytes / MIB) * 10) / 10} MB`;

/** `bytes`: the size as far as it is known (`orMore`: reading stopped at the limit). */
export function pageTooLarge(bytes: number, maxBytes: number, url?: string, orMore = false): RegistryError {
  return new RegistryError(
    'PARSE',
    `${url ?? 'the page'} is over the page size limit: ${megabytes(bytes)}${orMore ? ' or more' : ''}, the limit is ${megabytes(maxBytes)}; refused`,
    { reason: 'page-too-large', url },
  );
}

/** Runs a parse; a RegistryError that names no page is thrown again naming `url`. */
export function namingPage<T>(url: string | undefined, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (url === undefined || !(error instanceof RegistryError) || error.url) throw error;
    throw new RegistryError(error.class, `${url}: ${error.message}`, { reason: error.reason, url });
  }
}

/** Refuses a page whose text is over the byte limit (checked before any parsing). */
export function checkPageSize(html: string, limits: PageLimits): void {
  // A UTF-8 byte count of up to ~3 bytes per char; counting only when the length says it may be over.
  if (html.length * 3 <= limits.maxBytes) return;
  const bytes = Buffer.byteLength(html, 'utf8');
  if (bytes > limits.maxBytes) throw pageTooLarge(bytes, limits.maxBytes);
}

/** Counts open elements as a parser reports them and refuses a page past the limits. */
export class ElementBudget {
  private depth = 0;
  private elements = 0;

  constructor(
    private readonly limits: PageLimits,
    private readonly countElements = true,
  ) {}

  open(): void {
    if (++this.depth > this.limits.maxDepth)
      throw new RegistryError(
        'PARSE',
        `the page nests elements deeper than ${this.limits.maxDepth}: not a registry page (refused, parsing it would take too long)`,
        { reason: 'nesting-too-deep' },
      );
    if (this.countElements && ++this.elements > this.limits.maxElements)
      throw new RegistryError(
        'PARSE',
        `the page has more than ${this.limits.maxElements} elements: not a registry page (refused, its DOM would not fit the memory budget)`,
        { reason: 'too-many-elements' },
      );
  }

  close(): void {
    this.depth--;
  }
}

/** A DOM builder that stops (throws) as soon as the page goes past the limits. */
class BoundedDomHandler extends DomHandler {
  constructor(private readonly budget: ElementBudget) {
    super();
  }

  override onopentag(name: string, attribs: Record<string, string>): void {
    this.budget.open();
    super.onopentag(name, attribs);
  }

  override onclosetag(): void {
    this.budget.close();
    super.onclosetag();
  }
}

/** A page as cheerio sees it, built within the limits (RegistryError PARSE past them). */
export function loadBoundedPage(html: string, limits: PageLimits = DEFAULT_PAGE_LIMITS): CheerioAPI {
  checkPageSize(html, limits);
  const handler = new BoundedDomHandler(new ElementBudget(limits));
  new Parser(handler, PARSER_OPTIONS).end(html);
  return load(handler.root, FAST_HTML_OPTIONS);
}
