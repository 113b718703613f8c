// `reyestr registry fields [NAME]`: every search field, and one field's codes with their Ukrainian names — offline,
// from the same list the gate validates task params with.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { SEARCH_FIELDS } from '../../client/rules/index.ts';
import { courtRegions } from '../../client/rules/catalogues.ts';

const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['bin/reyestr.mjs', 'registry', 'fields', ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );

it('lists every search field with what it takes', async () => {
  const { stdout, code } = await run();
  expect(code).toBe(0);
  const lines = stdout.split('\n');
  for (const field of SEARCH_FIELDS) {
    expect(lines.find((line) => line.startsWith(`${field.name} `))).toContain(` ${field.label}: `);
  }
});

it('one field (any letter case): every code with its Ukrainian name; --json the same', async () => {
  const { stdout } = await run('courtregion');
  expect(stdout).toMatch(/^CourtRegion: court region; codes/);
  expect(stdout).toMatch(/^ +11 {2}Київська область$/m);
  expect(stdout.trim().split('\n')).toHaveLength(1 + courtRegions.length);
  const json = JSON.parse((await run('INSType', '--json')).stdout);
  expect(json.codes).toEqual([
    { code: '1', name: 'Перша' },
    { code: '2', name: 'Апеляційна' },
    { code: '3', name: 'Касаційна' },
  ]);
});

it('an unknown field: one line naming the fields, exit 2', async () => {
  const { code, stderr } = await run('Region');
  expect(code).toBe(2);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^reyestr: no search field "Region"; the fields are SearchExpression, CourtRegion,/);
});
