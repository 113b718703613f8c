// The numbers of bounds.ts on their own (no HTML libraries), so the CLI can show them as option defaults
// without loading the parsers. Why these bounds: bounds.ts.

export interface PageLimits {
  /** The largest page (UTF-8 bytes, as served) that is read and parsed. */
  maxBytes: number;
  /** The deepest element nesting accepted. */
  maxDepth: number;
  /** The most elements in one page's DOM (a decision's own text is streamed, not counted). */
  maxElements: number;
}

export const MIB = 1024 * 1024;

export const DEFAULT_PAGE_LIMITS: PageLimits = { maxBytes: 16 * MIB, maxDepth: 512, maxElements: 200_000 };
