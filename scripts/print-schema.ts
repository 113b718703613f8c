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
    console.error('schema.graphql differs from the Pothos schema: run `npm run schema:print` and commit it');
    process.exit(1);
  }
  console.log('schema.graphql is up to date');
} else {
  writeFileSync(file, printed);
  console.log('wrote schema.graphql');
}
