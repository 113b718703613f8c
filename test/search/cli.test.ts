// `reyestr documents search|stats|export` as people run them (node bin/reyestr.mjs against a real gate on
// PostgreSQL holding the fixture decisions).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { addDocuments, fixtureDocuments } from './corpus.ts';

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
    expect(dates.stderr).toMatch(/from is after to/);
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
