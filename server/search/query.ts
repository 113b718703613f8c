// A person's search text → a PostgreSQL tsquery over the stems words.ts stores (config 'simple').
// Syntax: words are ANDed; "quoted words" must stand together (phrase); -word excludes; word* is a prefix.
// An unmarked word (no letter only one language has) matches its Ukrainian or its Russian stem, because a
// query has no text around it to tell the language. Pure: no I/O.
import { candidateStems, wordsOf } from './words.ts';

export class SearchQueryError extends Error {
  override readonly name = 'SearchQueryError';
}

export const MAX_QUERY_LENGTH = 500;
export const MAX_QUERY_TERMS = 24;

/** What a matched word of a text is recognised by, for highlighting (snippet.ts). */
export interface Highlight {
  stems: ReadonlySet<string>;
  prefixes: readonly string[];
}

export interface SearchQuery {
  /** for `to_tsquery('simple', tsquery)` */
  tsquery: string;
  highlight: Highlight;
}

interface Term {
  words: string[];
  negated: boolean;
  prefix: boolean;
}

/** Splits the text into terms: "phrases", -negations, prefix*, plain words. */
function termsOf(input: string): Term[] {
  const terms: Term[] = [];
  const pattern = /(-?)"([^"]*)"?|(-?)(\S+)/g;
  for (const match of input.matchAll(pattern)) {
    const [, phraseNot, phrase, wordNot, chunk] = match;
    if (phrase !== undefined) {
      const words = wordsOf(phrase);
      if (words.length) terms.push({ words, negated: phraseNot === '-', prefix: false });
      continue;
    }
    // "2-а-2968/11" or "Переяслав-Хмельницький" hold several words, which must stand together (a phrase)
    const words = wordsOf(chunk);
    if (words.length) terms.push({ words, negated: wordNot === '-', prefix: /\*$/.test(chunk) && words.length === 1 });
  }
  return terms;
}

const lexeme = (stem: string, prefix: boolean) => `'${stem.replace(/'/g, "''")}'${prefix ? ':*' : ''}`;

function wordQuery(word: string, prefix: boolean, highlight: { stems: Set<string>; prefixes: string[] }) {
  const stems = candidateStems(word);
  for (const stem of stems) {
    if (prefix) highlight.prefixes.push(stem);
    else highlight.stems.add(stem);
  }
  const alternatives = stems.map((stem) => lexeme(stem, prefix));
  return alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(' | ')})`;
}

export function parseSearchQuery(input: string): SearchQuery {
  if (input.length > MAX_QUERY_LENGTH)
    throw new SearchQueryError(`the query is longer than ${MAX_QUERY_LENGTH} characters`);
  const terms = termsOf(input);
  if (!terms.some((term) => !term.negated))
    throw new SearchQueryError('the query has no words to search for (only punctuation, spaces or exclusions)');
  if (terms.reduce((n, term) => n + term.words.length, 0) > MAX_QUERY_TERMS)
    throw new SearchQueryError(`the query has more than ${MAX_QUERY_TERMS} words`);
  const highlight = { stems: new Set<string>(), prefixes: [] as string[] };
  const parts = terms.map((term) => {
    const target = term.negated ? { stems: new Set<string>(), prefixes: [] as string[] } : highlight;
    const query = term.words.map((word) => wordQuery(word, term.prefix, target)).join(' <-> ');
    const grouped = term.words.length > 1 ? `(${query})` : query;
    return term.negated ? `!${grouped}` : grouped;
  });
  return { tsquery: parts.join(' & '), highlight };
}
