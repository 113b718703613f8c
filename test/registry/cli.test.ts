import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerRegistryCommands } from '../../client/commands/registry.ts';
import { inWindows1251, truncateResults } from '../fake-registry/damage.ts';
import { FIXTURES_DIR, readFixture } from '../fake-registry/fixtures.ts';
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

describe('reyestr registry parse: pages it cannot vouch for', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reyestr-parse-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const saved = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const oneLine = (text: string) => expect(text.trimEnd().split('\n')).toHaveLength(1);

  it('a missing file or a directory: one line, exit code 2 — from the real command too, without a stack trace', async () => {
    const missing = await run('registry', 'parse', join(dir, 'missing.html'));
    expect(missing.err).toBe(`error: cannot read ${join(dir, 'missing.html')}: no such file\n`);
    expect(process.exitCode).toBe(2);
    const directory = await run('registry', 'parse', dir);
    expect(directory.err).toBe(`error: ${dir} is a directory, not a saved page\n`);
    expect(process.exitCode).toBe(2);
    const real = await promisify(execFile)(process.execPath, ['bin/reyestr.mjs', 'registry', 'parse', dir]).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(real).toMatchObject({ code: 2, stderr: `error: ${dir} is a directory, not a saved page\n` });
  });

  it('a results page cut off mid-table: printed with complete false and the reasons, exit code 3', async () => {
    const cut = truncateResults(readFixture('search-results-region11-instance1.html'), 7);
    const { out, err } = await run('registry', 'parse', saved('cut.html', cut));
    expect(JSON.parse(out)).toMatchObject({ kind: 'results', complete: false });
    expect(err).toMatch(/^error \[PARSE\] .*cut\.html is an incomplete results page: 7 rows where the paging says 25/);
    oneLine(err);
    expect(process.exitCode).toBe(3);
  });

  it('pathological HTML and pages that are not UTF-8: refused in one line, exit code 1', async () => {
    const deep = await run(
      'registry',
      'parse',
      saved('deep.html', `<html><body>${'<b>'.repeat(2_000_000)}</body></html>`),
    );
    expect(deep.err).toMatch(/^error \[PARSE\] .*deep\.html: the page nests elements deeper than 512/);
    oneLine(deep.err);
    expect(process.exitCode).toBe(1);
    const big = await run('registry', 'parse', '--max-page-size', '1', saved('big.html', 'x'.repeat(2 * 1024 * 1024)));
    expect(big.err).toMatch(/big\.html is over the page size limit: 2 MB, the limit is 1 MB; refused/);
    const review = readFixture('review/13801766.html');
    const undeclared = await run('registry', 'parse', saved('cp1251.html', inWindows1251(review, 'none').body));
    expect(undeclared.err).toMatch(/cp1251\.html is not UTF-8: it declares no charset/);
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    const declared = await run('registry', 'parse', saved('cp1251-meta.html', inWindows1251(review, 'meta').body));
    expect(JSON.parse(declared.out)).toMatchObject({ kind: 'review', metadata: { caseNumber: '2-354/2006' } });
    expect(process.exitCode).toBeUndefined();
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
