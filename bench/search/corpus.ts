// A synthetic corpus for bench:search, made from the real fixture decisions: every synthetic decision is
// the header and 6–10 paragraphs drawn from the four real texts (Ukrainian and Russian) plus a sentence of
// 12 words drawn from their vocabulary, with its own id, date (2006–2025), region (25 codes), court (6 per
// region), judge (20 per court), form, kind and case number. Deterministic (a seeded PRNG). Each paragraph is
// stemmed once (server/search, as the gate does) and a decision's stems are its paragraphs' stems joined, so
// building 200,000 decisions costs seconds of stemming, not minutes.
import { catalogueValues, courtRegions, decisionForms, proceedingForms } from '../../client/rules/index.ts';
import { indexText, wordsOf } from '../../server/search/index.ts';
import { fixtureDecision } from '../../test/search/corpus.ts';
import { FIXTURE_DOCUMENT_IDS } from '../../test/fake-registry/fixtures.ts';

export interface SyntheticDecision {
  id: string;
  documentId: string;
  caseNumber: string;
  courtName: string;
  courtCode: string;
  courtRegion: string;
  instance: string;
  judge: string;
  decisionForm: string;
  proceedingForm: string;
  caseCategory: string;
  adoptedOn: string;
  sourceUrl: string;
  text: string;
  stemmed: string;
}

/** mulberry32 */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = [
  'Шевченко',
  'Коваленко',
  'Бондаренко',
  'Ткаченко',
  'Кравченко',
  'Олійник',
  'Шевчук',
  'Поліщук',
  'Бойко',
  'Ковальчук',
  'Лисенко',
  'Марченко',
  'Мельник',
  'Савченко',
  'Руденко',
  'Мороз',
  'Павленко',
  'Петренко',
  'Клименко',
  'Левченко',
  'Харченко',
  'Кузьменко',
  'Гончаренко',
  'Іваненко',
  'Романенко',
  'Литвиненко',
  'Давиденко',
  'Кушнір',
  'Гуменюк',
  'Захарченко',
];
const INITIALS = 'АБВГДЄЗІКЛМНОПРСТ';
const COURT_KINDS = [
  'Центральний районний',
  'Шевченківський районний',
  'Подільський районний',
  'Міський',
  'Окружний адміністративний',
  'Апеляційний',
];

export interface CorpusSource {
  paragraphs: Array<{ text: string; stems: string }>;
  vocabulary: string[];
  /** two-word phrases that stand in the texts, for the full-text queries */
  phrases: string[];
}

export function corpusSource(): CorpusSource {
  const paragraphs: CorpusSource['paragraphs'] = [];
  const vocabulary = new Set<string>();
  const phrases = new Set<string>();
  for (const id of FIXTURE_DOCUMENT_IDS) {
    const lines = fixtureDecision(id)
      .text.split('\n')
      .filter((line) => line.length > 40);
    for (const text of lines) {
      paragraphs.push({ text, stems: indexText(text) });
      const words = wordsOf(text);
      for (const w of words) if (w.length >= 4 && /^\p{L}+$/u.test(w)) vocabulary.add(w);
      for (let i = 0; i + 1 < words.length; i++)
        if (words[i].length >= 6 && words[i + 1].length >= 6 && /^\p{L}+$/u.test(words[i] + words[i + 1]))
          phrases.add(`${words[i]} ${words[i + 1]}`);
    }
  }
  return { paragraphs, vocabulary: [...vocabulary], phrases: [...phrases] };
}

const REGIONS = catalogueValues(courtRegions).filter((code) => Number(code) <= 28 && code !== '2' && code !== '28');
const FORMS = catalogueValues(decisionForms);
const KINDS = catalogueValues(proceedingForms);
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2006, 0, 1);
const DAYS = Math.round((Date.UTC(2025, 11, 31) - FIRST_DAY) / DAY_MS);

export const judgeOf = (region: string, court: number, judge: number) =>
  `${SURNAMES[(Number(region) * 7 + court * 3 + judge) % SURNAMES.length]} ${INITIALS[(court * 5 + judge) % INITIALS.length]}. ${INITIALS[(Number(region) + judge * 3) % INITIALS.length]}.`;

/** Decisions `from` … `from + count - 1` of the corpus (the same index gives the same decision). */
export function* syntheticDecisions(source: CorpusSource, from: number, count: number): Generator<SyntheticDecision> {
  for (let i = from; i < from + count; i++) {
    const random = prng(i * 2654435761);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
    const region = pick(REGIONS);
    const court = Math.floor(random() * COURT_KINDS.length);
    const judge = judgeOf(region, court, Math.floor(random() * 20));
    const regionName = courtRegions.find(([code]) => code === region)![1];
    const adopted = new Date(FIRST_DAY + Math.floor(random() * DAYS) * DAY_MS).toISOString().slice(0, 10);
    const chosen = Array.from({ length: 6 + Math.floor(random() * 5) }, () => pick(source.paragraphs));
    const sentence = Array.from({ length: 12 }, () => pick(source.vocabulary)).join(' ');
    const caseNumber = `${100 + Math.floor(random() * 900)}/${1 + Math.floor(random() * 99_999)}/${adopted.slice(2, 4)}`;
    const category = pick(['Цивільні справи', 'Кримінальні справи', 'Адміністративні справи', 'Господарські справи']);
    const header = `Категорія справи № ${caseNumber}: ${category}.`;
    const documentId = String(300_000_000 + i);
    yield {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      documentId,
      caseNumber,
      courtName: `${COURT_KINDS[court]} суд ${regionName.replace(' область', 'ської області').replace('ська', '')}`,
      courtCode: String(Number(region) * 100 + court),
      courtRegion: region,
      instance: court === 5 ? '2' : '1',
      judge,
      decisionForm: pick(FORMS),
      proceedingForm: pick(KINDS),
      caseCategory: category,
      adoptedOn: adopted,
      sourceUrl: `https://reyestr.court.gov.ua/Review/${documentId}`,
      text: [header, ...chosen.map((p) => p.text), sentence].join('\n'),
      stemmed: [indexText(header), ...chosen.map((p) => p.stems), indexText(sentence)].join(' '),
    };
  }
}
