// Full-text search and typed metadata on the real fixture decisions, the same assertions on PGlite and
// PostgreSQL: Ukrainian and Russian word forms find each other, filters narrow, snippets highlight, bad
// input is a clear error, and a slow read is cut by the statement timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { backfillTypedMetadata } from '../../server/services/document-index.ts';
import { withStatementTimeout } from '../../server/services/document-search.ts';
import type { StorageKind } from '../support/databases.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { addDocuments, fixtureDecision, fixtureDocuments, workerMetadata } from './corpus.ts';

const SEARCH = `query($filter: DocumentFilter, $query: String, $orderBy: DocumentOrder, $first: Int, $after: String) {
  documents(filter: $filter, query: $query, orderBy: $orderBy, first: $first, after: $after) {
    totalCount totalCountExact
    pageInfo { hasNextPage endCursor }
    edges { cursor snippet rank node { documentId caseNumber courtRegion courtRegionName judge decisionForm
      decisionFormName proceedingForm proceedingFormName adoptedOn inForceOn registeredOn sentOn publishedOn
      caseCategory proceedingNumber courtName courtCode sourceUrl indexedAt } }
  }
}`;
const STATS = `query($groupBy: [DocumentStatsDimension!]!, $filter: DocumentFilter, $query: String) {
  documentStats(groupBy: $groupBy, filter: $filter, query: $query) {
    total truncated groups { courtRegion courtRegionName decisionForm decisionFormName year month judge count }
  }
}`;

/** A Russian sentence of the kind older decisions hold, on top of the Russian fixture. */
const RUSSIAN_VERDICT = {
  documentId: '900000001',
  text: `${fixtureDecision('107751396').text}\nКопия приговора суда направлена осужденному.`,
  metadata: {
    ...workerMetadata('107751396'),
    decisionForm: 'Вирок',
    proceedingForm: 'Кримінальне',
    caseNumber: '1-1/1983',
    adoptedOn: { raw: '10.05.1983', iso: '1983-05-10' },
  },
};

describe.each<StorageKind>(['pglite', 'postgres'])('document search (%s)', (storage) => {
  let t: TestGate;
  const ids = async (variables: Record<string, unknown>) =>
    (await t.ok(SEARCH, variables)).documents.edges.map((e: { node: { documentId: string } }) => e.node.documentId);

  beforeAll(async () => {
    t = await startTestGate(storage);
    await addDocuments(t, [...fixtureDocuments(), RUSSIAN_VERDICT]);
  });
  afterAll(() => t?.stop());

  it('fills the typed metadata from the results row and the decision page header', async () => {
    const { documents } = await t.ok(SEARCH, { filter: { documentIds: ['101476997'] } });
    expect(documents.edges[0].node).toMatchObject({
      documentId: '101476997',
      caseNumber: '2-а-2968/11',
      courtRegion: '11',
      courtRegionName: 'Київська область',
      judge: 'Усатов Д. Д.',
      decisionForm: '5',
      decisionFormName: 'Ухвала',
      proceedingForm: '4',
      proceedingFormName: 'Адміністративне',
      adoptedOn: '2011-04-21',
      inForceOn: '2011-04-26',
      sentOn: '2021-11-30',
      registeredOn: '2021-12-01',
      publishedOn: '2021-12-02',
      proceedingNumber: null,
      courtCode: '1013',
      sourceUrl: 'https://reyestr.court.gov.ua/Review/101476997',
    });
    expect(documents.edges[0].node.caseCategory).toMatch(/^Адміністративні справи \(до 01\.01\.2019\);/);
    expect(documents.edges[0].node.indexedAt).not.toBeNull();
  });

  it('finds Ukrainian word forms: «апеляційної скарги» finds the decision that says «апеляційна скарга»', async () => {
    expect(fixtureDecision('13801766').text).toContain('апеляційна скарга');
    expect(fixtureDecision('13801766').text).not.toContain('апеляційної скарги');
    expect(await ids({ query: 'апеляційної скарги' })).toEqual(['13801766']);
    expect(await ids({ query: 'апеляційна скарга' })).toEqual(['13801766']);
    expect(await ids({ query: '"апеляційну скаргу"' })).toEqual(['13801766']);
  });

  it('finds Russian word forms: «приговор» finds «приговора», «решение» finds «РЕШЕНИЕ»/«решения»', async () => {
    expect(await ids({ query: 'приговор' })).toEqual(['900000001']);
    expect(await ids({ query: 'решение', orderBy: 'ADOPTED_ON_ASC' })).toEqual(['107751396', '900000001']);
  });

  it('highlights the matched words in a snippet, HTML-escaped', async () => {
    const { documents } = await t.ok(SEARCH, { query: 'апеляційної скарги' });
    const snippet: string = documents.edges[0].snippet;
    expect(snippet).toContain('<mark>апеляційна</mark> <mark>скарга</mark>');
    expect(snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    expect(documents.edges[0].rank).toBeGreaterThan(0);
  });

  it('excludes, matches prefixes and phrases, and case numbers as typed', async () => {
    expect(await ids({ query: 'теплопостач*' })).toEqual(['13801766']);
    expect((await ids({ query: 'суд -теплопостачання', orderBy: 'ADOPTED_ON_ASC' })).sort()).toEqual(
      ['101476997', '107751396', '107872773', '900000001'].sort(),
    );
    expect(await ids({ query: '2-354/2006' })).toEqual(['13801766']);
    expect(await ids({ filter: { caseNumber: '2-а-2968/11' } })).toEqual(['101476997']);
  });

  it('filters on every typed field: codes, names, judges, date ranges', async () => {
    expect(await ids({ filter: { decisionForms: ['3'] }, orderBy: 'ADOPTED_ON_ASC' })).toEqual([
      '107872773',
      '107751396',
    ]);
    expect(await ids({ filter: { decisionForms: ['Вирок'] } })).toEqual(['900000001']);
    expect(await ids({ filter: { judges: ['Рева О. І.'] } })).toEqual(['13801766']);
    expect(await ids({ filter: { adoptedOn: { from: '2006-01-01', to: '2011-12-31' } } })).toEqual([
      '101476997',
      '13801766',
    ]);
    expect(await ids({ filter: { courtRegions: ['11'], proceedingForms: ['4'] } })).toEqual(['101476997']);
    expect(await ids({ filter: { courtCodes: ['1025'], inForceOn: { to: '1982-12-31' } } })).toEqual(['107872773']);
    expect(await ids({ filter: { caseCategory: 'цивільні справи' }, orderBy: 'ADOPTED_ON_ASC' })).toEqual([
      '107872773',
      '107751396',
      '900000001',
    ]);
    expect(await ids({ query: 'суд', filter: { courtRegions: ['14'] } })).toEqual([]);
  });

  it('pages with cursors and counts the matches', async () => {
    const first = await t.ok(SEARCH, { first: 2, orderBy: 'ADOPTED_ON_DESC' });
    expect(first.documents).toMatchObject({ totalCount: 5, totalCountExact: true, pageInfo: { hasNextPage: true } });
    const seen = first.documents.edges.map((e: { node: { documentId: string } }) => e.node.documentId);
    let after = first.documents.pageInfo.endCursor;
    for (;;) {
      const next = await t.ok(SEARCH, { first: 2, after, orderBy: 'ADOPTED_ON_DESC' });
      seen.push(...next.documents.edges.map((e: { node: { documentId: string } }) => e.node.documentId));
      if (!next.documents.pageInfo.hasNextPage) break;
      after = next.documents.pageInfo.endCursor;
    }
    expect(seen).toEqual(['101476997', '13801766', '900000001', '107751396', '107872773']);
  });

  it('counts by region, form, year and month', async () => {
    const byForm = (await t.ok(STATS, { groupBy: ['FORM'] })).documentStats;
    expect(byForm.groups).toEqual([
      expect.objectContaining({ decisionForm: '3', decisionFormName: 'Рішення', count: 2 }),
      expect.objectContaining({ decisionForm: '5', decisionFormName: 'Ухвала', count: 2 }),
      expect.objectContaining({ decisionForm: '1', decisionFormName: 'Вирок', count: 1 }),
    ]);
    const byRegionYear = (
      await t.ok(STATS, { groupBy: ['REGION', 'YEAR'], filter: { adoptedOn: { from: '2000-01-01' } } })
    ).documentStats;
    expect(byRegionYear).toMatchObject({
      total: 2,
      truncated: false,
      groups: [
        { courtRegion: '11', courtRegionName: 'Київська область', year: 2006, count: 1 },
        { courtRegion: '11', year: 2011, count: 1 },
      ],
    });
    const byMonth = (await t.ok(STATS, { groupBy: ['MONTH'], query: 'скарга' })).documentStats;
    expect(byMonth.groups).toEqual([expect.objectContaining({ month: '2006-04', count: 1 })]);
  });

  it.each([
    [{ filter: { adoptedOn: { from: '2024-02-01', to: '2024-01-01' } } }, /filter\.adoptedOn\.from: from is after to/],
    [{ filter: { adoptedOn: { from: '2024-02-30' } } }, /real calendar date/],
    [{ filter: { courtRegions: ['99'] } }, /unknown region code "99"/],
    [{ query: '!!! … ---' }, /no words to search for/],
    [{ first: 500 }, /first: a page holds 1 to 100 documents/],
    [{ after: 'bm90IGEgY3Vyc29y' }, /after: not a cursor/],
  ])('refuses bad input with BAD_USER_INPUT: %j', async (variables, message) => {
    const r = await t.gql(SEARCH, variables);
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(r.errors?.[0].message).toMatch(message);
  });

  it('fills the typed columns of documents registered before they existed (the gate does at start)', async () => {
    await prisma.document.create({
      data: {
        documentId: '900000002',
        metadata: {
          externalId: '900000002',
          courtName: 'Львівський апеляційний суд',
          decisionType: 'Постанова',
          decisionDate: '05.03.2024',
          judgeName: 'Іваненко І. І.',
        },
      },
    });
    expect(await backfillTypedMetadata()).toBe(1);
    const [node] = (await t.ok(SEARCH, { filter: { documentIds: ['900000002'] } })).documents.edges.map(
      (e: { node: unknown }) => e.node,
    );
    expect(node).toMatchObject({
      courtRegion: '14',
      decisionForm: '2',
      adoptedOn: '2024-03-05',
      judge: 'Іваненко І. І.',
      indexedAt: null,
    });
  });

  it.runIf(storage === 'postgres')('cuts a read that runs past the statement timeout: QUERY_TIMEOUT', async () => {
    const { configureSearch } = await import('../../server/services/document-search.ts');
    configureSearch({ statementTimeoutMs: 100 });
    try {
      await expect(withStatementTimeout((tx) => tx.$queryRaw`SELECT pg_sleep(5)`)).rejects.toMatchObject({
        code: 'QUERY_TIMEOUT',
      });
    } finally {
      configureSearch({ statementTimeoutMs: 5_000 });
    }
  });
});
