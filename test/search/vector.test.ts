// The stored tsvector is built in JS (server/search/vector.ts) instead of by `to_tsvector('simple', stems)`: it must
// be the very same value, on PGlite and PostgreSQL — for the fixture decisions, lexemes repeated past the 255
// positions PostgreSQL keeps, texts past its last position (16383), digits and Latin among Cyrillic, and random
// words over the characters it builds for — and it must decline (null: the caller falls back to `to_tsvector`)
// any stem with a character PostgreSQL's parser or dictionary might treat otherwise (the index statement then
// stores `to_tsvector` of that document's stems, in the same batch). Its lexeme cache is emptied past
// its bound between documents: the literals stay the same as a plain definition's across that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, prisma } from '../../server/db/database.ts';
import { indexDocumentTexts } from '../../server/db/sql/index-document-text.ts';
import { indexStems } from '../../server/search/words.ts';
import { tsvectorLiteral } from '../../server/search/vector.ts';
import { createTestDatabase, type StorageKind, type TestDatabase } from '../support/databases.ts';
import { fixtureDecision, fixtureDocuments } from './corpus.ts';

/** A small deterministic generator (mulberry32), so a failure names the same words every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = '0123456789abcxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґўђ';
function randomWords(count: number, seed: number): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(next() * 8) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(''),
  );
}

const cases: Array<[string, string[]]> = [
  ...fixtureDocuments().map((d): [string, string[]] => [`fixture ${d.documentId}`, indexStems(d.text)]),
  ['Russian fixture', indexStems(`${fixtureDecision('107751396').text}\nКопия приговора суда направлена осужденному.`)],
  ['digits and Latin', indexStems('abc ABC 123 x 2024-01-02 п.1 ч.2 ст.185 КК України 2021р а1б 0001 1e5 ab12cd34')],
  ['a lexeme past 255 positions', indexStems('суд справа '.repeat(300))],
  ['past the last position', [...randomWords(16_500, 7), 'останнє', 'останнє', 'суд']],
  ['random words', randomWords(3000, 1)],
  ['empty', []],
];

/** The literal by definition: each stem's positions (from 1, at most 255, none past 16383), entries in any order. */
function byDefinition(stems: readonly string[]): string {
  const positions = new Map<string, number[]>();
  stems.forEach((stem, i) => {
    const list = positions.get(stem) ?? positions.set(stem, []).get(stem)!;
    const position = Math.min(i + 1, 16383);
    if (list.length < 255 && list.at(-1) !== 16383) list.push(position);
  });
  return [...positions].map(([stem, list]) => `${stem}:${list.join(',')}`).join(' ');
}
const entries = (literal: string | null) => literal?.trim().split(' ').sort();

describe('tsvectorLiteral', () => {
  it('is the definition, also after its lexeme cache (30,000) is emptied between documents', () => {
    const documents = [
      randomWords(40_000, 2),
      randomWords(20_000, 3),
      randomWords(30_000, 4),
      ...cases.map((c) => c[1]),
    ];
    for (const stems of [...documents, ...documents])
      expect(entries(tsvectorLiteral(stems))).toEqual(entries(byDefinition(stems)));
  });

  it('declines stems the parser might split or the dictionary might change', () => {
    for (const stem of ['café', 'м²', 'σοφία', 'i̇', 'ǆ', 'x_y', 'ß'])
      expect(tsvectorLiteral(['суд', stem]), stem).toBeNull();
    for (const [name, stems] of cases) expect(tsvectorLiteral(stems), name).not.toBeNull();
  });
});

describe.each<StorageKind>(['pglite', 'postgres'])('tsvectorLiteral on %s', (storage) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(storage);
    await openDatabase(db.config);
  });
  afterAll(async () => {
    await closeDatabase();
    await db?.drop();
  });

  it('is stored as sent, and a declined text is stored as to_tsvector makes it, in one batch', async () => {
    await prisma.$executeRaw`INSERT INTO documents (document_id) VALUES ('900000901'), ('900000902')`;
    const built = indexStems(fixtureDecision('13801766').text);
    const declined = ['суд', 'café', 'м²', 'справ'];
    const indexed = await indexDocumentTexts([
      { documentId: '900000901', vector: tsvectorLiteral(built), stemmedText: null },
      { documentId: '900000902', vector: tsvectorLiteral(declined), stemmedText: declined.join(' ') },
      { documentId: '900000999', vector: tsvectorLiteral(['суд']), stemmedText: null },
    ]);
    expect(indexed.sort()).toEqual(['900000901', '900000902']);
    const rows = await prisma.$queryRaw<Array<{ documentId: string; matches: boolean }>>`
      SELECT document_id AS "documentId",
        search_vector = to_tsvector('simple', CASE document_id WHEN '900000901' THEN ${built.join(' ')} ELSE ${declined.join(' ')} END) AS matches
      FROM documents WHERE document_id IN ('900000901', '900000902') AND indexed_at IS NOT NULL ORDER BY document_id`;
    expect(rows).toEqual([
      { documentId: '900000901', matches: true },
      { documentId: '900000902', matches: true },
    ]);
  });

  it.each(cases)('is the tsvector to_tsvector makes: %s', async (_name, stems) => {
    const [row] = await prisma.$queryRaw<Array<{ built: string; parsed: string }>>`
      SELECT (${tsvectorLiteral(stems)}::tsvector)::text AS built, to_tsvector('simple', ${stems.join(' ')})::text AS parsed`;
    expect(row.built).toBe(row.parsed);
  });
});
