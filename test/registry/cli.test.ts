import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerRegistryCommands } from '../../client/commands/registry.ts';
import { FIXTURES_DIR } from '../fake-registry/fixtures.ts';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';

async function run(...args: string[]) {
  const printed = { out: '', err: '' };
  const program = new Command('reyestr').exitOverride();
  registerRegistryCommands(program, { out: (text) => (printed.out += text), err: (text) => (printed.err += text) });
  await program.parseAsync(args, { from: 'user' });
  return printed;
}

let registry: FakeRegistry;
beforeAll(async () => {
  registry = await startFakeRegistry({ totalFor: (params) => (params.CourtRegion?.includes('14') ? 4321 : 250_000) });
});
afterAll(() => registry.close());
afterEach(() => {
  process.exitCode = undefined;
});

describe('reyestr registry parse', () => {
  it('prints a results page as JSON: kind, paging, rows, filters', async () => {
    const page = JSON.parse(
      (await run('registry', 'parse', `${FIXTURES_DIR}/search-results-region11-instance1.html`)).out,
    );
    expect(page).toMatchObject({
      kind: 'results',
      total: 4735541,
      perPage: 25,
      pageCount: 4000,
      capped: true,
      activeFilters: { CourtRegion: ['11'], INSType: ['1'] },
    });
    expect(page.rows).toHaveLength(25);
    expect(page.rows[1]).toMatchObject({
      documentId: '107872773',
      courtCode: '1021',
      adoptedOn: { raw: '23.04.1982', iso: '1982-04-23' },
    });
  });

  it('prints a decision with its text, and its HTML only on request', async () => {
    const file = `${FIXTURES_DIR}/review/13801766.html`;
    const page = JSON.parse((await run('registry', 'parse', file)).out);
    expect(page).toMatchObject({
      kind: 'review',
      metadata: { caseNumber: '2-354/2006', registeredOn: { iso: '2011-02-18' } },
      htmlLength: 11225,
    });
    expect(page.html).toBeUndefined();
    expect(page.text.split('\n')[3]).toBe('Єдиний державний реєстр судових рішень');
    expect(JSON.parse((await run('registry', 'parse', '--html', file)).out).html).toHaveLength(11225);
  });

  it('prints the error page kind', async () => {
    expect(JSON.parse((await run('registry', 'parse', `${FIXTURES_DIR}/search-error.html`)).out)).toEqual({
      kind: 'error',
      title: 'Перегляд сторінки недоступний',
      message: 'Під час виконання пошуку виникла помилка',
    });
  });
});

describe('reyestr registry search', () => {
  it('prints total, page count and the first rows as a table', async () => {
    const { out } = await run(
      'registry',
      'search',
      '--registry-url',
      registry.url,
      '-p',
      'CourtRegion=11,14',
      '--param',
      'INSType=1',
      '--rows',
      '3',
    );
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('total 4321, 173 pages of 25, via http');
    expect(lines[1].split(/\s+/)).toEqual([
      'documentId',
      'adoptedOn',
      'decisionForm',
      'caseNumber',
      'courtName',
      'judge',
    ]);
    expect(lines[2]).toMatch(/^[- ]+$/);
    expect(lines).toHaveLength(3 + 3);
    expect(lines[3].split(/\s+/)[0]).toMatch(/^\d+$/);
  });

  it('prints JSON with --json and says when the search is capped', async () => {
    const result = JSON.parse(
      (await run('registry', 'search', '--registry-url', registry.url, '-p', 'CourtRegion=11', '--json', '--rows', '2'))
        .out,
    );
    expect(result).toMatchObject({
      total: 250000,
      pageCount: 4000,
      capped: true,
      transport: 'http',
      params: { CourtRegion: ['11'] },
    });
    expect(result.rows).toHaveLength(2);
  });

  it('rejects a bad param with a clear message and exit code 2, without contacting the registry', async () => {
    registry.resetLog();
    const { out, err } = await run('registry', 'search', '--registry-url', registry.url, '-p', 'CourtRegon=11');
    expect(out).toBe('');
    expect(err).toMatch(/^error \[PARSE\] invalid search params: CourtRegon: unknown search field/);
    expect(process.exitCode).toBe(2);
    expect(registry.requestLog).toHaveLength(0);
  });
});
