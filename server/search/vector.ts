// The stored tsvector of a document, built here from its stems instead of by PostgreSQL's `to_tsvector`: parsing
// the stemmed text with the default text-search parser was about half of PostgreSQL's CPU per indexed document,
// and the tsvector's own input syntax ('lexeme':1,5 …) costs it about a third of that (docs/benchmarks.md, issue 12,
// session 10). The result must be the very value `to_tsvector('simple', stems.join(' '))` gives, on PGlite and on
// PostgreSQL whatever its locale (test/search/vector.test.ts compares them), so this builds it only for lexemes
// PostgreSQL's parser is known to keep whole under any locale — ASCII digits and lower-case letters, lower-case
// Cyrillic — and answers null otherwise: the caller then sends the stemmed text to `to_tsvector` as before.
// Pure: no I/O.

/** Characters every locale's parser reads as one word (digits, letters) and `simple` keeps as they are (lower case). */
const PARSED_WHOLE = /^[0-9a-z\u0430-\u045f\u0491]+$/;

/** `to_tsvector` positions run from 1; a larger one is stored as this, and no position after it (LIMITPOS). */
const MAX_POSITION = 16383;
/** `to_tsvector` keeps at most this many positions of a lexeme (MAXNUMPOS − 1; tsvector input keeps one more). */
const MAX_POSITIONS = 255;

/** A stem as the literal names it, and where its positions are in the document being built. */
interface Lexeme {
  /** ` stem:`, how its entry in the literal starts */
  prefix: string;
  /** every character PARSED_WHOLE */
  whole: boolean;
  /** the document (`built`) first and last below are of */
  document: number;
  /** its first and last word in that document: the others are linked through `next` */
  first: number;
  last: number;
  count: number;
}

/**
 * Lexemes already seen, by stem: a decision repeats a few thousand stems, so each one's check and prefix are made
 * once, and its positions are linked in one shared array instead of an array per lexeme and document (building the
 * literal must cost the gate less than `to_tsvector` cost PostgreSQL). Emptied, before a document, past
 * LEXEME_CACHE_SIZE (a few MB), so memory stays bounded whatever the corpus.
 */
const LEXEME_CACHE_SIZE = 30_000;
const lexemes = new Map<string, Lexeme>();
let built = 0;
/** next[i]: the next word of the document with word i's stem, or -1 */
let next = new Int32Array(4096);

const positionOf = (word: number) => (word < MAX_POSITION ? word + 1 : MAX_POSITION);

/** The literal's pieces, reused: ` stem:` (an entry's start; the literal may start with a space), `1`, `,5` … */
const pieces: string[] = [];
/** Positions as text, made once each: a lexeme's first (`5`) and its following ones (`,5`). */
const FIRST: string[] = [];
const FOLLOWING: string[] = [];
const positionText = (texts: string[], position: number) =>
  (texts[position] ??= texts === FIRST ? String(position) : `,${position}`);

/**
 * The tsvector literal `to_tsvector('simple', stems.join(' '))` equals (one position per stem, in order), or null
 * when a stem holds a character the parser might split or the dictionary might change.
 */
export function tsvectorLiteral(stems: readonly string[]): string | null {
  if (lexemes.size >= LEXEME_CACHE_SIZE) lexemes.clear();
  if (next.length < stems.length) next = new Int32Array(stems.length);
  const document = ++built;
  const entries: Lexeme[] = [];
  for (let word = 0; word < stems.length; word++) {
    const stem = stems[word];
    let lexeme = lexemes.get(stem);
    if (lexeme === undefined) {
      lexeme = { prefix: ` ${stem}:`, whole: PARSED_WHOLE.test(stem), document: 0, first: 0, last: 0, count: 0 };
      lexemes.set(stem, lexeme);
    }
    if (!lexeme.whole) return null;
    if (lexeme.document !== document) {
      lexeme.document = document;
      lexeme.first = lexeme.last = word;
      lexeme.count = 1;
      next[word] = -1;
      entries.push(lexeme);
    } else if (lexeme.count < MAX_POSITIONS && positionOf(lexeme.last) !== MAX_POSITION) {
      next[lexeme.last] = word;
      next[word] = -1;
      lexeme.last = word;
      lexeme.count++;
    }
  }
  // The literal is joined once from cached pieces (prefixes, position numbers): building it piece by piece made a
  // string per position and a string per joint, garbage that cost the gate more than the rest of this function.
  pieces.length = 0;
  for (const lexeme of entries) {
    pieces.push(lexeme.prefix, positionText(FIRST, positionOf(lexeme.first)));
    for (let word = next[lexeme.first]; word !== -1; word = next[word])
      pieces.push(positionText(FOLLOWING, positionOf(word)));
  }
  return pieces.join('');
}
