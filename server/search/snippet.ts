// A highlighted snippet of a hit: the stretch of the text with the most matched words, the matches wrapped
// in <mark>…</mark> and everything else HTML-escaped (safe as HTML; a plain-text reader strips the tags).
// PostgreSQL's ts_headline cannot do this here: it would compare the text's unstemmed words with the
// query's stems. So the text is walked in JS with the same words/stems as the index. Pure: no I/O.
import type { Highlight } from './query.ts';
import { languageOf, markedLanguage, stemWord, WORD, wordsOf } from './words.ts';

export interface SnippetOptions {
  /** words of context in the snippet */
  words?: number;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function makeSnippet(text: string, highlight: Highlight | null, { words: width = 36 }: SnippetOptions = {}) {
  const tokens = Array.from(text.matchAll(WORD), (m) => ({ start: m.index, end: m.index + m[0].length, raw: m[0] }));
  if (tokens.length === 0) return '';
  const language = languageOf(wordsOf(text));
  const firsts = new Set([...(highlight?.stems ?? []), ...(highlight?.prefixes ?? [])].map((s) => s.slice(0, 2)));
  const matched = tokens.map((token) => {
    if (!highlight) return false;
    const word = token.raw.toLowerCase().replace(/['’ʼ`]/g, '');
    if (!firsts.has(word.slice(0, 2))) return false; // cheap test before stemming
    const stem = stemWord(word, markedLanguage(word) ?? language);
    return highlight.stems.has(stem) || highlight.prefixes.some((p) => stem.startsWith(p) || word.startsWith(p));
  });
  // the window of `width` words with the most matches (the first such)
  let best = 0;
  let bestCount = -1;
  let count = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (matched[i]) count++;
    if (i >= width && matched[i - width]) count--;
    const start = Math.max(0, i - width + 1);
    if (count > bestCount) {
      bestCount = count;
      best = start;
    }
  }
  // start a few words before the first match of the window, for context
  const firstMatch = matched.indexOf(true, best);
  const from = firstMatch >= 0 && firstMatch - best > 6 ? firstMatch - 6 : best;
  const to = Math.min(tokens.length, from + width);
  let out = from > 0 ? '… ' : '';
  let cursor = tokens[from].start;
  for (let i = from; i < to; i++) {
    out += escapeHtml(text.slice(cursor, tokens[i].start).replace(/\s+/g, ' '));
    const word = escapeHtml(tokens[i].raw);
    out += matched[i] ? `<mark>${word}</mark>` : word;
    cursor = tokens[i].end;
  }
  if (to < tokens.length) out += ' …';
  return out.trim();
}
