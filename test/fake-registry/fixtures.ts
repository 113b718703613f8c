/**
 * The real registry pages shipped with the repo (test/fixtures/registry, copied from the shared
 * fixture set). The fake registry renders its pages from them; tests assert against them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR =
  process.env.REGISTRY_FIXTURES_DIR ?? fileURLToPath(new URL('../fixtures/registry/', import.meta.url));

/** Decisions whose real `/Review/<id>` pages are in the fixture set. */
export const FIXTURE_DOCUMENT_IDS = ['101476997', '107751396', '107872773', '13801766'] as const;

const cache = new Map<string, string>();

export function readFixture(relativePath: string): string {
  let text = cache.get(relativePath);
  if (text === undefined) {
    text = readFileSync(
      new URL(relativePath, `file://${FIXTURES_DIR.endsWith('/') ? FIXTURES_DIR : `${FIXTURES_DIR}/`}`),
      'utf8',
    );
    cache.set(relativePath, text);
  }
  return text;
}
