/**
 * Plain text of an HTML fragment, the way a browser's innerText lays it out: one line per block
 * element or <br>, inline runs joined, whitespace (incl. &nbsp;) collapsed, blank lines dropped.
 * Decisions are RTF→HTML conversions full of nested spans and &nbsp;, so layout, not markup, matters.
 */
import type { AnyNode } from 'domhandler';
import * as cheerio from 'cheerio';
import { decodeHTML } from 'entities';

const BLOCK_ELEMENTS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'center',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'html',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'title',
  'tr',
  'ul',
]);
/** Never rendered as text. `title` is not here: the registry's print view shows the decision's title. */
const SKIPPED_ELEMENTS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'input',
  'select',
  'textarea',
  'button',
  'meta',
  'link',
  'img',
  'iframe',
]);

const isHiddenByStyle = (style: string | undefined): boolean => /display\s*:\s*none/i.test(style ?? '');
/** innerText follows CSS: the registry styles its header's <form> `display:inline`. */
const isInlineByStyle = (style: string | undefined): boolean => /display\s*:\s*inline\b/i.test(style ?? '');

/** Collapses all whitespace (incl. non-breaking spaces) to single spaces. */
export function normaliseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u2007\u202f\ufeff]+/g, ' ').trim();
}

export function textLinesOfNodes(nodes: AnyNode[]): string[] {
  const lines: string[] = [];
  let current = '';
  const flush = () => {
    const line = normaliseWhitespace(current);
    if (line !== '') lines.push(line);
    current = '';
  };
  const walk = (node: AnyNode) => {
    if (node.type === 'text') {
      current += node.data;
      return;
    }
    if (node.type !== 'tag' && node.type !== 'root') return;
    if (node.type === 'tag') {
      const name = node.name.toLowerCase();
      if (SKIPPED_ELEMENTS.has(name) || isHiddenByStyle(node.attribs.style)) return;
      if (name === 'br') return flush();
      if (BLOCK_ELEMENTS.has(name) && !isInlineByStyle(node.attribs.style)) {
        flush();
        node.children.forEach(walk);
        return flush();
      }
      if (name === 'td' || name === 'th') current += ' ';
    }
    node.children.forEach(walk);
  };
  nodes.forEach(walk);
  flush();
  return lines;
}

/**
 * htmlparser2 instead of cheerio's default parse5: ~8× faster on the registry's pages, and every
 * selector the parsers use works the same (the parser tests run on every fixture page).
 */
export const FAST_HTML_OPTIONS = { xml: { xmlMode: false, decodeEntities: true } } as const;

/** Character references (&lt; &amp; &nbsp; …) → characters, as a browser decodes a textarea's content. */
export function decodeEntities(text: string): string {
  return decodeHTML(text);
}

/** Plain text lines of a whole HTML document or fragment. */
export function htmlToTextLines(html: string): string[] {
  const $ = cheerio.load(html, FAST_HTML_OPTIONS);
  return textLinesOfNodes($.root().toArray());
}
