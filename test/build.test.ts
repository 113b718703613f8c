// The compiled build (scripts/build.mjs → dist/) that `reyestr` and `npm start` run: current after vitest's
// globalSetup, and the CLI's entry loads only what every command needs — a command's own libraries (GraphQL
// client, registry library, worker, export writers) load when it runs, which keeps `reyestr --help` quick.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIsCurrent, DIST } from '../scripts/build.mjs';
import { createPostgresDatabase } from './support/databases.ts';
import { startGateProcess } from './support/gate-process.ts';

/** The npm packages a module of dist/ loads through static imports, its own and its chunks': imported from
 * node_modules, or bundled into those chunks (named by their source maps). */
function staticPackages(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  for (const source of (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources) {
    const bundled = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
    if (bundled) packages.add(bundled[1]);
  }
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^import\s+(?:[^'";]*?from\s+)?["']([^"']+)["'];?$/gms)) {
    if (spec.startsWith('.')) staticPackages(join(dirname(file), spec), seen, packages);
    else if (!spec.startsWith('node:')) packages.add(spec);
  }
  return packages;
}

/** A module of dist/ and every chunk it imports, statically or with import(). */
function moduleFiles(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(
    /(?:^import[^;]*?from\s*|\bimport\()["'](\.{1,2}\/[\w./-]+\.js)["']/gm,
  ))
    moduleFiles(join(dirname(file), spec), seen);
  return seen;
}

describe('compiled build', () => {
  it('is current', () => {
    expect(buildIsCurrent()).toBe(true);
  });

  it.each(['gate', 'cli'])('the %s bundles one graphql, its ES module build', (entry) => {
    // every graphql module in the build (its entry and the chunks it loads) is an .mjs file: no CommonJS copy
    const sources = [...moduleFiles(join(DIST, `${entry}.js`))]
      .flatMap((file) => (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources)
      .filter((source) => /node_modules\/graphql\//.test(source));
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((source) => !source.endsWith('.mjs'))).toEqual([]);
  });

  it('the CLI entry loads only commander and zod until a command runs', () => {
    expect([...staticPackages(join(DIST, 'cli.js'))].sort()).toEqual(['commander', 'zod']);
  });

  it("the gate's bundled graphql, edited (GRAPHQL_EDITS), answers as graphql does: aliases, arguments", async () => {
    const db = await createPostgresDatabase();
    const admin = 'build-test-admin-key-0123456789abcdef';
    const gate = await startGateProcess({ DATABASE_URL: (db.config as { url: string }).url, ADMIN_API_KEY: admin });
    const ask = async (query: string, variables = {}) =>
      (
        await fetch(`${gate.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': admin },
          body: JSON.stringify({ query, variables }),
        })
      ).text();
    try {
      // a result object is a plain object unless an alias is `__proto__`, which would set its prototype
      expect(await ask('{ a: __typename, __proto__: __typename, constructor: __typename, toJSON: __typename }')).toBe(
        '{"data":{"a":"Query","__proto__":"Query","constructor":"Query","toJSON":"Query"}}',
      );
      const created = await ask(
        'mutation($t: [NewTaskInput!]!) { createTasks(input: { tasks: $t }) { __proto__: status toString: priority } }',
        { t: [{ searchParams: { CourtRegion: ['11'] }, startPage: 1, priority: 3 }] },
      );
      expect(created).toBe('{"data":{"createTasks":[{"__proto__":"PENDING","toString":3}]}}');
      // arguments (given, defaulted and by variable) still reach the field that declares them
      expect(await ask('query($n: Int) { a: tasks(first: $n) { totalCount } b: tasks { totalCount } }', { n: 1 })).toBe(
        '{"data":{"a":{"totalCount":1},"b":{"totalCount":1}}}',
      );
    } finally {
      await gate.stop();
      await db.drop();
    }
  });
});
