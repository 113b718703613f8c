// The compiled build (scripts/build.mjs → dist/) that `reyestr` and `npm start` run: current after vitest's
// globalSetup, and the CLI's entry loads only what every command needs — a command's own libraries (GraphQL
// client, registry library, worker, export writers) load when it runs, which keeps `reyestr --help` quick.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIsCurrent, DIST } from '../scripts/build.mjs';

/** The npm packages a module of dist/ loads through static imports, its own and its chunks'. */
function staticPackages(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^import\s+(?:[^'";]*?from\s+)?["']([^"']+)["'];?$/gms)) {
    if (spec.startsWith('.')) staticPackages(join(dirname(file), spec), seen, packages);
    else if (!spec.startsWith('node:')) packages.add(spec);
  }
  return packages;
}

describe('compiled build', () => {
  it('is current', () => {
    expect(buildIsCurrent()).toBe(true);
  });

  it('the CLI entry loads only commander and zod until a command runs', () => {
    expect([...staticPackages(join(DIST, 'cli.js'))].sort()).toEqual(['commander', 'zod']);
  });
});
