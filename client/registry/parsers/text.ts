/**
 * Plain text of an HTML fragment, the way a browser's innerText lays it out: one line per block
 * element or <br>, inline runs joined, whitespace (incl. &nbsp;) collapsed, blank lines dropped.
 * Decisions are RTF→HTML conversions full of nested spans and &nbsp;, so layout, not markup, matters.
 */
import type { AnyNode } from 'domhandler';
import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import { DEFAULT_PAGE_LIMITS, ElementBudget, PARSER_OPTIONS, type PageLimits } from './bounds.ts';

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

/**
 * The layout as a stream of open/text/close events, so that the same rules serve a DOM walk (a page's header)
 * and a streaming parse (a decision's text, which can be megabytes and is never built as a DOM).
 */
class TextLayout {
  readonly lines: string[] = [];
  private current = '';
  /** per open element: does closing it end a line */
  private readonly blocks: boolean[] = [];
  /** >0 inside an element that is never rendered (its descendants are ignored) */
  private skipped = 0;

  open(tagName: string, attribs: Record<string, string>): void {
    if (this.skipped > 0) {
      this.skipped++;
      return;
    }
    const name = tagName.toLowerCase();
    if (SKIPPED_ELEMENTS.has(name) || isHiddenByStyle(attribs.style)) {
      this.skipped = 1;
      return;
    }
    const block = name === 'br' || (BLOCK_ELEMENTS.has(name) && !isInlineByStyle(attribs.style));
    if (block) this.flush();
    else if (name === 'td' || name === 'th') this.current += ' ';
    this.blocks.push(block);
  }

  text(data: string): void {
    if (this.skipped === 0) this.current += data;
  }

  close(): void {
    if (this.skipped > 0) {
      this.skipped--;
      return;
    }
    if (this.blocks.pop()) this.flush();
  }

  flush(): string[] {
    const line = normaliseWhitespace(this.current);
    if (line !== '') this.lines.push(line);
    this.current = '';
    return this.lines;
  }
}

export function textLinesOfNodes(nodes: AnyNode[]): string[] {
  const layout = new TextLayout();
  const walk = (node: AnyNode) => {
    if (node.type === 'text') return layout.text(node.data);
    // script and style nodes have types of their own: like comments, never text
    if (node.type === 'root') return node.children.forEach(walk);
    if (node.type !== 'tag') return;
    layout.open(node.name, node.attribs);
    node.children.forEach(walk);
    layout.close();
  };
  nodes.forEach(walk);
  return layout.flush();
}

/** A character reference: `&name;`, `&#123;`, `&#x1F;` (the semicolon may be missing in legacy markup). */
const CHARACTER_REFERENCE = /&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)/g;

/**
 * Character references (&lt; &amp; &nbsp; …) → characters, as a browser decodes a textarea's content. Each reference
 * is decoded on its own (decoding is local to it), so the result is built as one flat string: `decodeHTML` on a whole
 * decision returns a rope of a piece per reference, which for a decision of 8 MB takes ~35 MB of heap.
 */
export function decodeEntities(text: string): string {
  return text.replace(CHARACTER_REFERENCE, (reference) => decodeHTML(reference));
}

/**
 * Plain text lines of a whole HTML document or fragment, streamed: memory grows with the text, not with the markup
 * (a decision of several megabytes of nested spans fits a worker's bounded heap). Nesting past `limits.maxDepth` is
 * refused (RegistryError PARSE).
 */
export function htmlToTextLines(html: string, limits: PageLimits = DEFAULT_PAGE_LIMITS): string[] {
  const layout = new TextLayout();
  const budget = new ElementBudget(limits, false);
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        budget.open();
        layout.open(name, attribs);
      },
      // script and style content is text to the parser; the layout skips those elements whole
      ontext: (data) => layout.text(data),
      onclosetag() {
        budget.close();
        layout.close();
      },
    },
    PARSER_OPTIONS,
  );
  parser.end(html);
  return layout.flush();
}
