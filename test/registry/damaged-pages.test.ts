// Pages the developers never saw: a results page cut off mid-table must say it is not whole; a row without its link is
// kept apart; pathological HTML (huge, deeply nested, millions of elements) is refused quickly with a clear error;
// a windows-1251 page is decoded by its declared charset, and one that declares nothing is refused as not UTF-8.
import { decodeHTML } from 'entities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../client/rules/index.ts';
import {
  decodeEntities,
  parsePage,
  parsePageBytes,
  type DecisionPage,
  type ResultsPage,
} from '../../client/registry/parsers/index.ts';
import { RegistrySession } from '../../client/registry/session.ts';
import { dropReviewLink, inflateDecision, inWindows1251, truncateResults } from '../fake-registry/damage.ts';
import { GeneratedSearch } from '../fake-registry/data.ts';
import { FIXTURE_DOCUMENT_IDS, readFixture } from '../fake-registry/fixtures.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';
import { decisionPage, resultsPage } from '../fake-registry/pages.ts';

const params = { CourtRegion: ['11'], INSType: ['1'] };
const search = new GeneratedSearch(params, () => 60); // pages of 25, 25, 10
const page = (n: number) =>
  resultsPage({ params, total: 60, perPage: 25, currentPage: n, pageCount: 3, rows: search.rowsOfPage(n) });

function refusal(parse: () => unknown): RegistryError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error('the page was not refused');
}

describe('a results page proves it is whole', () => {
  it('whole pages, the short last one too, are complete', () => {
    for (const [n, rows] of [
      [1, 25],
      [3, 10],
    ]) {
      const parsed = parsePage(page(n)) as ResultsPage;
      expect(parsed).toMatchObject({ kind: 'results', currentPage: n, complete: true, unreadableRows: [] });
      expect(parsed.rows).toHaveLength(rows);
      expect(parsed.incomplete).toBeUndefined();
    }
    expect(parsePage(readFixture('search-results-region11-instance1.html'))).toMatchObject({ complete: true });
  });

  it('a page cut off inside a row: not complete, and it says why', () => {
    const parsed = parsePage(truncateResults(page(2), 10)) as ResultsPage;
    expect(parsed).toMatchObject({ kind: 'results', total: 60, currentPage: 2, complete: false });
    expect(parsed.rows).toHaveLength(10);
    expect(parsed.rows[9].judge).toBe(''); // the partial row the page ends in
    expect(parsed.incomplete).toEqual([
      '10 rows where the paging says 25 (page 2 of 60 results, 25 per page)',
      'the page ends before the pager that follows the result table',
    ]);
    // Cut inside the last row: the count is right, the structure after the table is missing.
    const lastRowCut = parsePage(truncateResults(page(3), 10)) as ResultsPage;
    expect(lastRowCut.rows).toHaveLength(10);
    expect(lastRowCut.incomplete).toEqual(['the page ends before the pager that follows the result table']);
  });

  it('a row without its /Review/<digits> link is kept apart with the reason; the page is still whole', () => {
    const parsed = parsePage(dropReviewLink(page(1), 3)) as ResultsPage;
    expect(parsed.complete).toBe(true);
    expect(parsed.rows).toHaveLength(24);
    expect(parsed.rows.map((row) => row.documentId)).not.toContain(search.rowsOfPage(1)[2].documentId);
    expect(parsed.unreadableRows).toEqual([
      {
        position: 3,
        reason: 'row 3 has no /Review/<digits> link (its link is "#")',
        text: expect.stringContaining(search.rowsOfPage(1)[2].documentId),
      },
    ]);
  });
});

describe('pathological HTML is refused quickly, with a clear error', () => {
  it('20 MB of 4 million nested tags: over the page size limit, refused before parsing', () => {
    const html = `<html><body>${'<div>'.repeat(4_000_000)}</body></html>`;
    const error = refusal(() => parsePage(html));
    expect(error).toMatchObject({ class: 'PARSE', reason: 'page-too-large' });
    expect(error.message).toMatch(/over the page size limit: 19.1 MB, the limit is 16 MB; refused/);
    expect(refusal(() => parsePageBytes(Buffer.from(html), { url: 'big.html' })).message).toMatch(/^big\.html is over/);
  });

  it('nesting deeper than 512 and more than 200,000 elements: refused while parsing', () => {
    const deep = refusal(() => parsePage(`<html><body>${'<b>'.repeat(1_000_000)}x</body></html>`));
    expect(deep).toMatchObject({ class: 'PARSE', reason: 'nesting-too-deep' });
    expect(deep.message).toMatch(/nests elements deeper than 512/);
    const flat = refusal(() => parsePage(`<html><body>${'<i></i>'.repeat(300_000)}</body></html>`));
    expect(flat).toMatchObject({ class: 'PARSE', reason: 'too-many-elements' });
    // A decision whose own markup nests too deep, inside an ordinary page.
    const nestedDecision = decisionPage('100000001').replace(
      '&lt;/body&gt;',
      `${'&lt;span&gt;'.repeat(600)}&lt;/body&gt;`,
    );
    expect(refusal(() => parsePage(nestedDecision))).toMatchObject({ reason: 'nesting-too-deep' });
  });
});

describe('a decision of many megabytes', () => {
  it('is parsed in parts, with the same HTML and text as the plain parse', () => {
    const html = inflateDecision(decisionPage('100000002'), 3 * 1024 * 1024);
    const fromBytes = parsePageBytes(Buffer.from(html), { charset: 'utf-8' }) as DecisionPage;
    const fromText = parsePage(html) as DecisionPage;
    expect(fromBytes.kind).toBe('review');
    expect(fromBytes.html.length).toBeGreaterThan(1_500_000);
    expect(fromBytes.html).toBe(fromText.html);
    expect(fromBytes.text).toBe(fromText.text);
    expect(fromBytes.metadata).toEqual(fromText.metadata);
  });

  it('entities are decoded exactly as `entities` decodes the whole text', () => {
    const samples = [
      '&amp;lt;',
      '&ampfoo',
      '&#123abc',
      '&#x1F600;x',
      '&notit;',
      '&lt&gt',
      '&#0;',
      '&#x110000;',
      '&&amp;',
    ];
    for (const sample of [...samples, ...FIXTURE_DOCUMENT_IDS.map((id) => readFixture(`review/${id}.html`))])
      expect(decodeEntities(sample)).toBe(decodeHTML(sample));
  });
});

describe('charsets', () => {
  const utf8 = parsePage(readFixture('review/13801766.html')) as DecisionPage;

  it('a windows-1251 page declared in the Content-Type or a <meta charset> reads like the UTF-8 one', () => {
    for (const declare of ['header', 'meta'] as const) {
      const { body, contentType } = inWindows1251(readFixture('review/13801766.html'), declare);
      const charset = /charset=([^;]+)/.exec(contentType)?.[1];
      const page = parsePageBytes(body, { charset }) as DecisionPage;
      expect(page.kind).toBe('review');
      expect(page.metadata).toEqual(utf8.metadata);
      expect(page.text).toBe(utf8.text);
    }
  });

  it('a page that is not UTF-8 and does not say what it is: refused as not UTF-8, never garbled', () => {
    const { body } = inWindows1251(readFixture('review/13801766.html'), 'none');
    for (const charset of [undefined, 'utf-8']) {
      const error = refusal(() => parsePageBytes(body, { charset, url: '/Review/13801766' }));
      expect(error).toMatchObject({ class: 'PARSE', reason: 'not-utf8' });
      expect(error.message).toMatch(/^\/Review\/13801766 is not UTF-8: it declares (no charset|utf-8)/);
    }
  });
});

describe('the session', () => {
  let registry: FakeRegistry;
  beforeAll(async () => {
    registry = await startFakeRegistry({ totalFor: () => 60 });
  });
  afterAll(() => registry.close());

  it('a search whose first page comes cut off reads page 1 again; a windows-1251 decision is decoded', async () => {
    registry.setFaults({
      rules: [
        { kind: 'truncate', routes: ['search'], times: 1, row: 5 },
        { kind: 'windows-1251', routes: ['review'], declare: 'header' },
      ],
    });
    const session = await RegistrySession.open({
      baseUrl: registry.url,
      transport: 'http',
      politeness: { minDelayMs: 0 },
    });
    try {
      const summary = await session.search(params);
      expect(summary.firstPage).toHaveLength(25);
      expect(registry.requestLog.map((entry) => `${entry.method} ${entry.path}`)).toEqual([
        'GET /',
        'POST /',
        'GET /Page/1',
      ]);
      const decision = await session.fetchDecision('13801766');
      expect(decision.text).toBe(utf8Text());
    } finally {
      await session.close();
    }
  });
});

const utf8Text = () => (parsePage(readFixture('review/13801766.html')) as DecisionPage).text;
