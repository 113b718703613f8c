// `reyestr documents search|stats|export` as people run them (node bin/reyestr.mjs against a real gate on
// PostgreSQL holding the fixture decisions).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { addDocuments, fixtureDecision, fixtureDocuments } from './corpus.ts';

let t: TestGate;
beforeAll(async () => {
  t = await startTestGate('postgres');
  await addDocuments(t, fixtureDocuments());
});
afterAll(() => t?.stop());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['bin/reyestr.mjs', ...args], {
    env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (run.stdout += chunk));
  child.stderr.on('data', (chunk) => (run.stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ ...run, code })));
}

describe('documents search', () => {
  it('finds word forms, prints hits with their snippet, and filters by judge and date', async () => {
    const r = await cli(['documents', 'search', 'апеляційної скарги']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^13801766 {2}2006-04-26 {2}Ухвала {2}2-354\/2006 {2}Переяслав-Хмельницький/);
    expect(r.stdout).toContain('«апеляційна» «скарга»');
    expect(r.stdout).toMatch(/1 of 1 document\(s\)\n$/);

    const byJudge = await cli(['documents', 'search', '--judge', 'Рева О. І.', '--from', '2006-01-01', '--json']);
    expect(byJudge.code).toBe(0);
    const found = JSON.parse(byJudge.stdout);
    expect(found.edges.map((e: { node: { documentId: string } }) => e.node.documentId)).toEqual(['13801766']);
    const none = await cli(['documents', 'search', '--judge', 'Рева О. І.', '--from', '2007-01-01']);
    expect(none.stdout).toBe('no documents match\n0 of 0 document(s)\n');
  });

  it('refuses bad input with one line and exit code 2', async () => {
    const r = await cli(['documents', 'search', '--region', '99']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^reyestr: .*unknown region code "99"/);
    const dates = await cli(['documents', 'search', 'суд', '--from', '2024-02-01', '--to', '2024-01-01']);
    expect(dates.code).toBe(2);
    expect(dates.stderr).toMatch(/from is after to/i);
  });
});

describe('documents stats', () => {
  it('prints counts by region and year as a table, and as JSON', async () => {
    const r = await cli(['documents', 'stats', '--by', 'region,year']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 5)).toEqual([
      'REGION  NAME              YEAR  COUNT',
      '11      Київська область  1982  1',
      '11      Київська область  1983  1',
      '11      Київська область  2006  1',
      '11      Київська область  2011  1',
    ]);
    const byForm = JSON.parse((await cli(['documents', 'stats', '--by', 'form', '--json'])).stdout);
    expect(
      byForm.groups.map((g: { decisionFormName: string; count: number }) => [g.decisionFormName, g.count]),
    ).toEqual([
      ['Рішення', 2],
      ['Ухвала', 2],
    ]);
  });
});

describe('documents export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reyestr-export-'));

  it('writes JSONL to a file: every matching document, the export columns, the text when asked', async () => {
    const file = join(dir, 'civil.jsonl');
    const r = await cli(['documents', 'export', '--kind', '1', '--text', '-o', file]);
    expect(r.stderr).toBe(`3 document(s) written to ${file} (jsonl)\n`);
    expect(r.code).toBe(0);
    const rows = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.map((row) => row.documentId).sort()).toEqual(['107751396', '107872773', '13801766']);
    const row = rows.find((x) => x.documentId === '13801766');
    expect(Object.keys(row)).toEqual(expect.arrayContaining(['caseNumber', 'courtRegionName', 'adoptedOn', 'text']));
    expect(row).toMatchObject({ proceedingFormName: 'Цивільне', adoptedOn: '2006-04-26', judge: 'Рева О. І.' });
    expect(row.text).toBe(fixtureDecision('13801766').text);
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it('writes CSV to stdout (-o -) with a header row', async () => {
    const r = await cli(['documents', 'export', '--format', 'csv', '--query', 'апеляційної скарги', '-o', '-']);
    expect(r.code).toBe(0);
    const [header, ...lines] = r.stdout.trimEnd().split('\n');
    expect(header.split(',').slice(0, 3)).toEqual(['documentId', 'caseNumber', 'proceedingNumber']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^13801766,2-354\/2006,/);
  });

  it('writes Parquet that a Parquet reader loads back', async () => {
    const file = join(dir, 'all.parquet');
    const r = await cli(['documents', 'export', '--text', '-o', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('(parquet)');
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
    expect(rows).toHaveLength(4);
    const row = rows.find((x) => x.documentId === '101476997')!;
    expect(row).toMatchObject({ caseNumber: '2-а-2968/11', decisionFormName: 'Ухвала', courtRegion: '11' });
    expect(row.text).toBe(fixtureDecision('101476997').text);
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'on an 80-column pseudo-terminal the bar fits, with the count, rate and ETA',
    async () => {
      const file = join(dir, 'terminal.jsonl');
      // util-linux `script` gives the export a pseudo-terminal (stderr included), as an operator's shell would.
      const child = spawn(
        '/usr/bin/script',
        ['-qfec', `stty cols 80 rows 24; exec node bin/reyestr.mjs documents export -o ${file}`, '/dev/null'],
        {
          env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY, NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(out).toContain(`4 document(s) written to ${file} (jsonl)`);
      expect(out).not.toContain('\x1b[?7l'); // autowrap stays on
      // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences split what each redraw wrote
      const bars = out.split(/\x1b\[[0-9;?]*[A-Za-z]|\r|\n/).filter((s) => s.includes(' docs | '));
      expect(bars.length).toBeGreaterThan(0);
      for (const bar of bars) {
        expect(bar.length, bar).toBeLessThanOrEqual(79);
        expect(bar).toMatch(/^export \[[█░]+\] \d+\/~?\d+ docs \| [\d.]+\/s \| ETA \S+$/);
      }
      expect(bars.at(-1)).toMatch(/ 4\/~?4 docs /);
    },
  );

  it('refuses bad filters before writing anything; REST answers 422 with the reason', async () => {
    const file = join(dir, 'bad.jsonl');
    const r = await cli(['documents', 'export', '--region', '99', '-o', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^reyestr: .*unknown region code "99"/i);
    expect(existsSync(file) || existsSync(`${file}.partial`)).toBe(false);
    const res = await fetch(`${t.url}/api/v1/documents/export?from=2024-02-01&to=2024-01-01`, {
      headers: { 'x-api-key': ADMIN_KEY },
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(/from is after to/i);
  });

  it('REST streams JSON lines with the count in a header', async () => {
    const res = await fetch(`${t.url}/api/v1/documents/export?region=11&form=3&from=1980-01-01`, {
      headers: { 'x-api-key': ADMIN_KEY },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('x-total-count')).toBe('2');
    const lines = (await res.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.documentId).sort()).toEqual(['107751396', '107872773']);
    const anonymous = await fetch(`${t.url}/api/v1/documents/export`);
    expect(anonymous.status).toBe(401);
  });
});
