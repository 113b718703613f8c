// indexText (what the stored tsvector holds) goes through a cache of the words it has seen: its output must be
// exactly the definition — every word of wordsOf(text) stemmed in its marked language, else the text's — for
// the real fixture decisions, mixed Ukrainian/Russian text, apostrophes, case, Latin and digits, and after
// the cache has seen the same written word in texts of the other language. WORD, written for speed, matches exactly
// what its definition matches, for every character.
import { describe, expect, it } from 'vitest';
import { parsePage } from '../../client/registry/parsers/index.ts';
import { indexText, languageOf, markedLanguage, stemWord, WORD, wordsOf } from '../../server/search/words.ts';
import { FIXTURE_DOCUMENT_IDS, readFixture } from '../fake-registry/fixtures.ts';

const byDefinition = (text: string) => {
  const words = wordsOf(text);
  const language = languageOf(words);
  return words.map((word) => stemWord(word, markedLanguage(word) ?? language)).join(' ');
};

const fixtureTexts = FIXTURE_DOCUMENT_IDS.map((id) => {
  const page = parsePage(readFixture(`review/${id}.html`));
  if (page.kind !== 'review') throw new Error(`${id} is not a decision page`);
  return page.text;
});

describe('indexText', () => {
  it('is every word stemmed in its marked language, else the text’s, on the fixture decisions', () => {
    for (const text of fixtureTexts) {
      expect(indexText(text)).toBe(byDefinition(text));
      expect(indexText(text)).toBe(byDefinition(text)); // again, from the cache
    }
  });

  it('gives an unmarked word the stem of the language of each text it stands in', () => {
    const ukrainian = 'Суд вирішив: позов задовольнити. Справа розглянута судом. суд СУД';
    const russian = 'Суд решил: иск удовлетворить. Копия приговора суда направлена осуждённому. суд СУД';
    for (const text of [ukrainian, russian, ukrainian, russian]) {
      expect(indexText(text)).toBe(byDefinition(text));
    }
    // Not vacuous: some unmarked word here has different Ukrainian and Russian stems.
    const unmarked = wordsOf(`${ukrainian} ${russian}`).filter((w) => !markedLanguage(w));
    expect(unmarked.some((w) => stemWord(w, 'uk') !== stemWord(w, 'ru'))).toBe(true);
  });

  it('normalises case and apostrophes and keeps Latin words and numbers as they are', () => {
    const text = "Ім'я ІМ’Я ім`я імʼя Ёлка ЁЛКА abc ABC 123 x 2024-01-02 п.1 ч.2 ст.185 КК України";
    expect(indexText(text)).toBe(byDefinition(text));
    expect(indexText(text).split(' ').slice(0, 4)).toEqual(['імя', 'імя', 'імя', 'імя'].map((w) => stemWord(w, 'uk')));
    expect(indexText('')).toBe('');
  });
});

describe('WORD', () => {
  it('matches what its definition matches, for every character and beside an apostrophe', () => {
    const definition = /[\p{L}\p{N}]+(?:['’ʼ`][\p{L}]+)*/gu;
    // The short ranges are of the Basic Multilingual Plane: every character of it, and every 101st beyond.
    const characters: string[] = [];
    for (let code = 0; code <= 0x10ffff; code += code < 0x10000 ? 1 : 101) {
      if (code < 0xd800 || code > 0xdfff) characters.push(String.fromCodePoint(code));
    }
    // Each character alone, after a letter, after a digit, and after a letter and an apostrophe.
    const text = characters.map((c) => `${c} а${c} 1${c} ім'${c}я`).join(' ');
    expect(text.match(WORD)?.join('|')).toBe(text.match(definition)?.join('|'));
  });
});
