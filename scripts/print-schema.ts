// Prints the Pothos schema to schema.graphql, or with --check fails when the committed file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { printedSchema } from '../server/schema/index.ts';

const file = new URL('../schema.graphql', import.meta.url);
const printed = printedSchema();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // missing counts as drift
  }
  if (committed !== printed) {
    // The first line that differs, so a failure says what drifted (a reviewer's run once failed with no clue).
    const [a, b] = [committed.split('\n'), printed.split('\n')];
    const at = a.findIndex((line, i) => line !== b[i]);
    const line = at < 0 ? a.length : at;
    console.error('schema.graphql differs from the Pothos schema: run `npm run schema:print` and commit it');
    console.error(
      `first difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end)'}\n  printed:   ${b[line] ?? '(end)'}`,
    );
    process.exit(1);
  }
  console.log('schema.graphql is up to date');
} else {
  writeFileSync(file, printed);
  console.log('wrote schema.graphql');
}
