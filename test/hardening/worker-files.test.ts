// Defence in depth: the worker's file writer refuses a document id that is not digits by itself, so an id
// like `../../x` can never be written outside --output-dir, and `..` can never replace its parent.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCompleteDocument, writeDocument } from '../../client/worker/files.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** root/keep (a file that must survive) and root/a/b/out (the output dir). */
function layout() {
  const root = mkdtempSync(join(tmpdir(), 'reyestr-files-'));
  roots.push(root);
  const outputDir = join(root, 'a', 'b', 'out');
  mkdirSync(outputDir, { recursive: true });
  writeFileSync(join(root, 'a', 'b', 'keep'), 'precious');
  return { root, outputDir };
}

const content = (documentId: string) => ({
  documentId,
  sourceUrl: 'http://registry.test/Review/1',
  html: '<p>x</p>',
  text: 'x',
  row: null,
  decision: {},
  taskId: null,
  page: 1,
});

describe('worker file writer', () => {
  it.each(['../../x', '..', '.', '', '12/34', '12\u000034', ' 12', '１２'])(
    'refuses document id %j and writes nothing outside the output dir',
    async (id) => {
      const { root, outputDir } = layout();
      const before = readdirSync(root, { recursive: true }).sort();
      await expect(writeDocument(outputDir, content(id))).rejects.toThrow(/not a registry document id/);
      expect(readdirSync(root, { recursive: true }).sort()).toEqual(before);
      expect(existsSync(join(root, 'a', 'b', 'keep'))).toBe(true);
      expect(await readCompleteDocument(outputDir, id)).toBeNull();
    },
  );

  it('writes a digits id as before', async () => {
    const { outputDir } = layout();
    const record = await writeDocument(outputDir, content('123456'));
    expect(record.documentId).toBe('123456');
    expect(readdirSync(join(outputDir, '123456')).sort()).toEqual(['123456.html', '123456.json', '123456.txt']);
    expect(await readCompleteDocument(outputDir, '123456')).toMatchObject({ documentId: '123456' });
  });
});
