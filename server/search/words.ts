// Words of a decision or a query, stemmed for Ukrainian or Russian with @orama/stemmers (Snowball rules).
// Stock PostgreSQL has no Ukrainian stemmer, and PGlite ships no dictionaries beyond the stock ones, so the
// gate stems in JS — the same function when indexing and when querying — and PostgreSQL only stores the
// stems (`to_tsvector('simple', …)`): PGlite and PostgreSQL then find exactly the same documents.
//
// Which stemmer: a word with a letter only Ukrainian has (і ї є ґ) is Ukrainian, one with a letter only
// Russian has (ы э ъ ё) is Russian; a word with neither («суд», «приговора», «справа») takes the language
// of the text it stands in (the one whose marked words are more frequent). A query has no such context, so
// an unmarked query word matches either stem (see query.ts). Pure: no I/O.
import { stemmer as stemRussian } from '@orama/stemmers/russian';
import { stemmer as stemUkrainian } from '@orama/stemmers/ukrainian';

export type Language = 'uk' | 'ru';

/**
 * Letters (any script), digits, and the apostrophes Ukrainian writes inside words (ім'я, ім’я, ім`я): `[\p{L}\p{N}]+`
 * and `(?:['’ʼ`]\p{L}+)*`. The letters and digits decisions are written in — ASCII's, and Cyrillic's (U+0400–U+04FF
 * but for its signs and combining marks U+0482–U+0489) — are a first alternative of the same class: V8 matches that
 * short range list much faster than the Unicode property's hundreds of ranges (tokenising was over half of stemming a
 * decision), and a subset as the first alternative matches the very same words.
 */
export const WORD =
  /(?:[0-9A-Za-z\u0400-\u0481\u048a-\u04ff]|[\p{L}\p{N}])+(?:['’ʼ`](?:[A-Za-z\u0400-\u0481\u048a-\u04ff]|\p{L})+)*/gu;
const APOSTROPHES = /['’ʼ`]/g;
const UKRAINIAN_ONLY = /[іїєґ]/;
const RUSSIAN_ONLY = /[ыэъё]/;
const CYRILLIC = /[\u0400-\u04ff]/;

/** A word as it is compared: lower case, apostrophes dropped (ім'я = ім’я = імя). */
export const normaliseWord = (word: string): string => word.toLowerCase().replace(APOSTROPHES, '');

/** The words of a text in order, normalised. */
export function wordsOf(text: string): string[] {
  return (text.match(WORD) ?? []).map(normaliseWord);
}

/** 'uk' or 'ru' when the word's letters say so, else null. */
export function markedLanguage(word: string): Language | null {
  if (UKRAINIAN_ONLY.test(word)) return 'uk';
  if (RUSSIAN_ONLY.test(word)) return 'ru';
  return null;
}

/** The language most of a text's marked words are in; Ukrainian when none is marked (most decisions are). */
export function languageOf(words: readonly string[]): Language {
  return mostMarked(words.map(markedLanguage));
}

/** The language most of these marks name; Ukrainian on a tie or when none is marked. */
function mostMarked(marks: ReadonlyArray<Language | null>): Language {
  let uk = 0;
  let ru = 0;
  for (const mark of marks) {
    if (mark === 'uk') uk++;
    else if (mark === 'ru') ru++;
  }
  return ru > uk ? 'ru' : 'uk';
}

/** Stems longer than this are kept whole: a tsvector lexeme is limited to 2 KB, and such "words" are noise. */
const MAX_WORD_LENGTH = 100;

/**
 * Stems already computed, per language. Decisions repeat a small legal vocabulary, so indexing a batch looks
 * most words up here instead of running the Snowball rules again; the map is emptied when it grows past
 * STEM_CACHE_SIZE (a few MB), so memory stays bounded whatever the corpus.
 */
const STEM_CACHE_SIZE = 50_000;
const stemCache: Record<Language, Map<string, string>> = { uk: new Map(), ru: new Map() };

/** The stem of a normalised word in a language; words that are not Cyrillic (numbers, Latin) stay as they are. */
export function stemWord(word: string, language: Language): string {
  if (word.length > MAX_WORD_LENGTH || !CYRILLIC.test(word)) return word.slice(0, MAX_WORD_LENGTH);
  const cache = stemCache[language];
  const known = cache.get(word);
  if (known !== undefined) return known;
  const stem = (language === 'ru' ? stemRussian(word.replace(/ё/g, 'е')) : stemUkrainian(word)) || word;
  if (cache.size >= STEM_CACHE_SIZE) cache.clear();
  cache.set(word, stem);
  return stem;
}

/** Both stems an unmarked word may have (one when they agree or the word is marked). */
export function candidateStems(word: string): string[] {
  const marked = markedLanguage(word);
  if (marked) return [stemWord(word, marked)];
  return [...new Set([stemWord(word, 'uk'), stemWord(word, 'ru')])];
}

/** What indexing needs of a word as it stands in a text: its normal form, its marked language, its stems. */
interface Token {
  word: string;
  marked: Language | null;
  stems: Partial<Record<Language, string>>;
}

/**
 * Tokens already seen, by the word as written. Indexing is the gate's largest CPU cost per stored decision, and
 * most of it went into normalising, classifying and looking up the stem of the same few thousand legal words
 * again and again: here that is one look-up per word. Emptied past TOKEN_CACHE_SIZE, as the stem cache is.
 */
const TOKEN_CACHE_SIZE = 30_000;
const tokenCache = new Map<string, Token>();

function tokenOf(written: string): Token {
  let token = tokenCache.get(written);
  if (token === undefined) {
    const word = normaliseWord(written);
    token = { word, marked: markedLanguage(word), stems: {} };
    if (tokenCache.size >= TOKEN_CACHE_SIZE) tokenCache.clear();
    tokenCache.set(written, token);
  }
  return token;
}

/**
 * The stems of a text's words, in order: what its stored tsvector holds (one position per stem). Each of
 * `wordsOf(text)` stemmed in its marked language, else the text's (`languageOf`), through the token cache.
 */
export function indexStems(text: string): string[] {
  const tokens = (text.match(WORD) ?? []).map(tokenOf);
  const language = mostMarked(tokens.map((token) => token.marked));
  return tokens.map((token) => {
    const as = token.marked ?? language;
    token.stems[as] ??= stemWord(token.word, as);
    return token.stems[as];
  });
}

/**
 * The text whose `to_tsvector('simple', …)` is the stored tsvector: every word replaced by its stem, in order
 * (positions stay right for phrase queries).
 */
export const indexText = (text: string): string => indexStems(text).join(' ');
