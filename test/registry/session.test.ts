import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../client/rules/registry-error.ts';
import { parsePage, type DecisionPage } from '../../client/registry/parsers/index.ts';
import {
  RegistrySession,
  isUnreadableRow,
  type CollectedRow,
  type RegistrySessionOptions,
} from '../../client/registry/session.ts';
import { GeneratedSearch } from '../fake-registry/data.ts';
import { readFixture } from '../fake-registry/fixtures.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';

/** Fast but real politeness: no rate limit, tiny backoff, so retry paths run in milliseconds. */
const fastPoliteness = { minDelayMs: 0, retries: 2, backoffMinMs: 10, backoffMaxMs: 40 };

let registry: FakeRegistry;
const sessions: RegistrySession[] = [];
const totals = new Map<string, number>();

async function openSession(options: RegistrySessionOptions = {}): Promise<RegistrySession> {
  const session = await RegistrySession.open({
    baseUrl: registry.url,
    transport: 'http',
    politeness: fastPoliteness,
    ...options,
  });
  sessions.push(session);
  return session;
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

const paths = () => registry.requestLog.map((entry) => `${entry.method} ${entry.path}`);

beforeAll(async () => {
  // Totals chosen per test through CaseNumber; otherwise generated from the params.
  registry = await startFakeRegistry({ totalFor: (params) => totals.get(String(params.CaseNumber)) ?? 1000 });
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  registry.setFaults({});
  registry.resetLog();
  registry.searches.clear();
});
afterAll(() => registry.close());

describe('search', () => {
  it('submits single and list values and reads total, paging and echoed filters', async () => {
    totals.set('x-1', 1234);
    const session = await openSession();
    const summary = await session.search({
      CourtRegion: ['11', '14'],
      INSType: 1,
      CaseNumber: 'x-1',
      'PagingInfo.ItemsPerPage': 50,
    });
    expect(summary).toMatchObject({ total: 1234, perPage: 50, pageCount: 25, capped: false, transport: 'http' });
    expect(summary.activeFilters).toMatchObject({
      CourtRegion: ['11', '14'],
      INSType: ['1'],
      CaseNumber: 'x-1',
      'PagingInfo.ItemsPerPage': '50',
    });
    expect(summary.firstPage).toHaveLength(50);
    expect(summary.firstPage.every((row) => /\((Київська|Львівська) область\)$/.test(row.courtName))).toBe(true);
    expect([...registry.searches.values()]).toEqual([
      {
        CourtRegion: ['11', '14'],
        INSType: ['1'],
        CaseNumber: 'x-1',
        Sort: '0',
        'PagingInfo.ItemsPerPage': '50',
        Liga: 'true',
        ProviderItem: '1',
      },
    ]);
    expect(paths()).toEqual(['GET /', 'POST /']);
  });

  it('reports the 100,000 cap', async () => {
    totals.set('big', 250_001);
    const session = await openSession();
    expect(await session.search({ CaseNumber: 'big' })).toMatchObject({
      total: 250_001,
      pageCount: 4000,
      capped: true,
    });
  });

  it('rejects bad params before any request', async () => {
    const session = await openSession();
    const error = await rejection(session.search({ CourtRegion: '11', RegDateBegin: '2020-13-01' }));
    expect(error.class).toBe('PARSE');
    expect(error.message).toBe(
      'invalid search params: RegDateBegin: "2020-13-01" is not a valid date (DD.MM.YYYY or YYYY-MM-DD)',
    );
    expect(registry.requestLog).toHaveLength(0);
  });

  it('walks the session-bound pages to start page 7 and collects 60 rows across page boundaries', async () => {
    const session = await openSession();
    const params = { CourtRegion: '11', CaseNumber: 'walk' };
    await session.search(params);
    const rows: CollectedRow[] = [];
    for await (const row of session.collectRows({ startPage: 7, maxDocuments: 60 }))
      if (!isUnreadableRow(row)) rows.push(row);
    const expected = new GeneratedSearch([...registry.searches.values()][0], () => 1000);
    const expectedIds = [7, 8, 9]
      .flatMap((page) => expected.rowsOfPage(page).map((row) => row.documentId))
      .slice(0, 60);
    expect(rows.map((row) => row.documentId)).toEqual(expectedIds);
    expect(rows.map((row) => row.page)).toEqual([...Array(25).fill(7), ...Array(25).fill(8), ...Array(10).fill(9)]);
    expect(paths()).toEqual(['GET /', 'POST /', 'GET /Page/7', 'GET /Page/8', 'GET /Page/9']);
  });

  it('stops collecting at the last page', async () => {
    totals.set('short', 30);
    const session = await openSession();
    await session.search({ CaseNumber: 'short' });
    const rows = [];
    for await (const row of session.collectRows({ maxDocuments: 100 })) rows.push(row);
    expect(rows).toHaveLength(30);
    expect(paths()).toEqual(['GET /', 'POST /', 'GET /Page/2']);
  });

  it('a session without a search gets the empty page and says so', async () => {
    const session = await openSession();
    const error = await rejection(
      (async () => {
        for await (const row of session.collectRows()) void row;
      })(),
    );
    expect(error).toMatchObject({ class: 'REGISTRY_ERROR', reason: 'no-search' });
    expect(error.message).toMatch(/empty-result page: this session has no search/);
    expect(paths()).toEqual(['GET /Page/1']);
  });
});

describe('decisions', () => {
  it('fetches a real decision page and parses it', async () => {
    const session = await openSession();
    const decision = await session.fetchDecision('107751396');
    const expected = parsePage(readFixture('review/107751396.html')) as DecisionPage;
    expect(decision).toEqual({
      documentId: '107751396',
      url: `${registry.url}/Review/107751396`,
      metadata: expected.metadata,
      html: expected.html,
      text: expected.text,
    });
    expect(decision.metadata.inForceOn).toEqual({ raw: '03.05.1983', iso: '1983-05-03' });
  });
});

describe('politeness and failures', () => {
  it('honours 429 Retry-After (waits at least that long) and then succeeds', async () => {
    registry.setFaults({ rules: [{ kind: 'rate-limit', routes: ['review'], times: 1, retryAfterSeconds: 1 }] });
    const session = await openSession();
    const decision = await session.fetchDecision('101476997');
    expect(decision.metadata.caseNumber).toBe('2-а-2968/11');
    const [limited, retried] = registry.requestLog;
    expect([limited.status, retried.status]).toEqual([429, 200]);
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(1000);
    expect(session.stats).toMatchObject({ rateLimitWaits: 1, rateLimitWaitMs: 1000 });
  });

  it('reports RATE_LIMITED when 503s keep coming', async () => {
    registry.setFaults({ rules: [{ kind: 'rate-limit', status: 503, routes: ['review'], retryAfterSeconds: 0 }] });
    const session = await openSession({ politeness: { ...fastPoliteness, rateLimitWaits: 2 } });
    const error = await rejection(session.fetchDecision('101476997'));
    expect(error).toMatchObject({ class: 'RATE_LIMITED', status: 503 });
    expect(registry.requestLog.map((entry) => entry.status)).toEqual([503, 503, 503]);
  });

  it('retries 5xx with backoff, then succeeds or reports REGISTRY_ERROR', async () => {
    registry.setFaults({ rules: [{ kind: 'server-error', status: 502, routes: ['review'], times: 2 }] });
    const session = await openSession();
    await session.fetchDecision('101476997');
    expect(registry.requestLog.map((entry) => entry.status)).toEqual([502, 502, 200]);

    registry.resetLog();
    registry.setFaults({ rules: [{ kind: 'server-error', routes: ['review'] }] });
    const error = await rejection(session.fetchDecision('101476997'));
    expect(error).toMatchObject({ class: 'REGISTRY_ERROR', reason: 'http-500', status: 500 });
    expect(registry.requestLog).toHaveLength(3);
    expect(session.stats.retries).toBe(4);
  });

  it('retries dropped connections, then succeeds or reports NETWORK', async () => {
    registry.setFaults({ rules: [{ kind: 'drop', routes: ['review'], times: 1 }] });
    const session = await openSession();
    expect((await session.fetchDecision('13801766')).metadata.caseNumber).toBe('2-354/2006');

    registry.resetLog();
    registry.setFaults({ rules: [{ kind: 'drop', routes: ['review'] }] });
    const error = await rejection(session.fetchDecision('13801766'));
    expect(error.class).toBe('NETWORK');
    expect(registry.requestLog.map((entry) => entry.fault)).toEqual(['drop', 'drop', 'drop']);
  });

  it('stops on the error page: REGISTRY_ERROR, and no further requests', async () => {
    registry.setFaults({ rules: [{ kind: 'error-page', routes: ['search'] }] });
    const session = await openSession();
    const error = await rejection(session.search({ CourtRegion: '11' }));
    expect(error).toMatchObject({ class: 'REGISTRY_ERROR', reason: 'error-page' });
    expect(error.message).toContain('Перегляд сторінки недоступний: Під час виконання пошуку виникла помилка');
    const requestsBefore = registry.requestLog.length;
    expect(await rejection(session.fetchDecision('101476997'))).toBe(error);
    expect(await rejection(session.search({ CourtRegion: '14' }))).toBe(error);
    expect(registry.requestLog).toHaveLength(requestsBefore);
  });

  it('stops on a shown captcha: CHALLENGE, not solved, no further requests', async () => {
    registry.setFaults({ rules: [{ kind: 'captcha', routes: ['page'] }] });
    const session = await openSession();
    await session.search({ CourtRegion: '11' });
    const error = await rejection(
      (async () => {
        for await (const row of session.collectRows({ startPage: 2 })) void row;
      })(),
    );
    expect(error).toMatchObject({ class: 'CHALLENGE', reason: 'captcha' });
    expect(session.stopReason).toBe(error);
    expect(await rejection(session.resultsPage(3))).toBe(error);
    expect(paths()).toEqual(['GET /', 'POST /', 'GET /Page/2']);
  });

  it('reports a search whose multi-select naming the registry refuses (HTTP only)', async () => {
    const strict = await startFakeRegistry({ acceptMultiSelectNaming: 'brackets' });
    try {
      const session = await RegistrySession.open({
        baseUrl: strict.url,
        transport: 'http',
        multiSelectNaming: 'plain',
        politeness: fastPoliteness,
      });
      sessions.push(session);
      expect(await rejection(session.search({ CourtRegion: '11' }))).toMatchObject({
        class: 'REGISTRY_ERROR',
        reason: 'error-page',
      });
      const auto = await RegistrySession.open({ baseUrl: strict.url, transport: 'http', politeness: fastPoliteness });
      sessions.push(auto);
      // 'auto' naming follows the served (JS-rendered) form: CourtRegion[]
      expect((await auto.search({ CourtRegion: '11' })).transport).toBe('http');
    } finally {
      await strict.close();
    }
  });
});
