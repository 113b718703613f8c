// `reyestr documents import` and `pull` as people run them (real CLI processes against a real gate): a folder
// of the older system's pages and one of this project's layout go up, a second run stores nothing, a pull
// writes the corpus in the worker layout, a second pull skips what is there with the right sha256 and
// rewrites what is not.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { FIXTURE_DOCUMENT_IDS, FIXTURES_DIR } from '../fake-registry/fixtures.ts';
import { readOutput } from '../worker/support.ts';
import { packedFixture } from './support.ts';

let t: TestGate;
const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `reyestr-${name}-`));
  dirs.push(dir);
  return dir;
};
beforeAll(async () => {
  t = await startTestGate('postgres');
});
afterAll(async () => {
  await t?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/reyestr.mjs', ...args], {
    env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('documents import and pull', () => {
  it('imports the older layout and this layout, skips what the gate has, pulls it all back', async () => {
    // The older system: <id>/<id>_<id>.html (the saved /Review page) and <id>_<id>_print.html.
    const older = tempDir('older');
    for (const id of FIXTURE_DOCUMENT_IDS) {
      mkdirSync(join(older, id));
      copyFileSync(join(FIXTURES_DIR, 'review', `${id}.html`), join(older, id, `${id}_${id}.html`));
      copyFileSync(join(FIXTURES_DIR, 'review', `${id}.print.html`), join(older, id, `${id}_${id}_print.html`));
    }
    // This project's layout, as a worker writes it.
    for (const id of ['910000001', '910000002']) {
      const doc = await packedFixture(id, { source: '107872773' });
      mkdirSync(join(older, id));
      writeFileSync(join(older, id, `${id}.html`), gunzipSync(doc.parts.html.gzip));
      writeFileSync(join(older, id, `${id}.txt`), gunzipSync(doc.parts.text.gzip));
      writeFileSync(join(older, id, `${id}.json`), gunzipSync(doc.parts.metadata.gzip));
    }
    mkdirSync(join(older, '920000000')); // neither layout: refused, named, the rest goes on

    const first = await cli(['documents', 'import', older, '--json']);
    expect(first.code, first.stderr).toBe(2);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ found: 7, stored: 6, present: 0 });
    expect(summary.rejected).toEqual([{ documentId: '920000000', reason: expect.stringMatching(/neither/) }]);
    rmSync(join(older, '920000000'), { recursive: true });

    const again = await cli(['documents', 'import', older, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ found: 6, stored: 0, present: 6, rejected: [] });

    // The older page's decision and text are what the registry parser takes from it.
    const { document } = await t.ok(`query { document(id: "101476997") { html text metadata storedAt } }`);
    expect(document.html).toContain('<');
    expect(document.html).not.toContain('txtdepository'); // the decision, not the whole page
    expect(document.text.length).toBeGreaterThan(500);
    expect(document.metadata.sourceUrl).toBe('https://reyestr.court.gov.ua/Review/101476997');

    const out = tempDir('pulled');
    // --plan: what a pull would fetch, in documents and bytes, and nothing written.
    const stats = await t.ok(
      `query { documents(first: 100) { edges { node { sizeBytes textSizeBytes storedBytes } } } }`,
    );
    const nodes: Array<{ sizeBytes: number; textSizeBytes: number; storedBytes: number }> = stats.documents.edges.map(
      (e: { node: unknown }) => e.node,
    );
    const planned = await cli(['documents', 'pull', '--output-dir', out, '--plan', '--json']);
    expect(planned.code, planned.stderr).toBe(0);
    expect(JSON.parse(planned.stdout)).toEqual({
      listed: 6,
      written: 0,
      skipped: 0,
      failed: [],
      plan: {
        toPull: 6,
        bytesToWrite: nodes.reduce((sum, n) => sum + n.sizeBytes + n.textSizeBytes, 0),
        bytesToFetch: nodes.reduce((sum, n) => sum + n.storedBytes, 0),
        bytesAlreadyThere: 0,
      },
    });
    expect(readOutput(out)).toEqual([]);
    const plannedText = await cli(['documents', 'pull', '--output-dir', out, '--plan']);
    expect(plannedText.stdout).toMatch(
      /^6 listed: 6 would be pulled \([\d.]+ MB of HTML and text to write, [\d.]+ MB to fetch\), 0 already there .*nothing written/,
    );

    const pulled = await cli(['documents', 'pull', '--output-dir', out, '--json']);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ listed: 6, written: 6, skipped: 0, failed: [] });
    const files = readOutput(out); // three files each, sha256 in the JSON matching the HTML
    expect(files.map((f) => f.documentId).sort()).toEqual([...FIXTURE_DOCUMENT_IDS, '910000001', '910000002'].sort());
    expect(readFileSync(join(out, '910000001', '910000001.html'))).toEqual(
      readFileSync(join(older, '910000001', '910000001.html')),
    );

    // Resumable: what is there with the right sha256 is skipped, a damaged file is written again.
    writeFileSync(join(out, '13801766', '13801766.txt'), 'damaged');
    const resumed = await cli(['documents', 'pull', '--output-dir', out, '--json']);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ listed: 6, written: 1, skipped: 5, failed: [] });
    expect(readFileSync(join(out, '13801766', '13801766.txt'), 'utf8')).not.toBe('damaged');
    const nothingLeft = await cli(['documents', 'pull', '--output-dir', out, '--plan', '--json']);
    expect(JSON.parse(nothingLeft.stdout).plan).toMatchObject({ toPull: 0, bytesToWrite: 0, bytesToFetch: 0 });
  });

  it('import needs a key that may write; a bad folder is a clear error', async () => {
    const missing = await cli(['documents', 'import', '/nonexistent/folder', '--json']);
    expect(JSON.parse(missing.stdout)).toMatchObject({ found: 0 });
    const badDate = await cli(['documents', 'pull', '--output-dir', tempDir('x'), '--from', '2024-13']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--from must be YYYY-MM-DD/);
  });
});
