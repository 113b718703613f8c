// The search indexer, off the upload path: a document a worker uploads becomes findable by its words without
// anyone asking (the gate drains its queue once uploads pause), a steady stream of uploads that never pauses is
// indexed while it lasts and all of it once it stops, its snippet comes from the one copy of the text in the
// document store, and documents stored but never indexed — what a gate killed between the upload's commit and
// its drain leaves — are indexed by the next gate that starts (on PostgreSQL: a PGlite test gate restarts on a
// new in-memory database).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentClient } from '../../client/corpus/content-client.ts';
import { uploadBatch } from '../../client/corpus/upload.ts';
import { prisma } from '../../server/db/database.ts';
import { packedFixture } from '../corpus/support.ts';
import type { StorageKind } from '../support/databases.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { eventually } from '../worker/support.ts';

const SEARCH = `query($query: String, $filter: DocumentFilter) {
  documents(query: $query, filter: $filter, first: 10) { edges { snippet node { documentId indexedAt } } }
}`;

describe.each<StorageKind>(['pglite', 'postgres'])('search indexer (%s)', (storage) => {
  let t: TestGate;
  const found = async (query: string) =>
    (await t.ok(SEARCH, { query })).documents.edges.map(
      (e: { snippet: string | null; node: { documentId: string } }) => ({ id: e.node.documentId, snippet: e.snippet }),
    );

  beforeAll(async () => {
    t = await startTestGate(storage);
  });
  afterAll(() => t?.stop());

  it('indexes an uploaded document by itself, and highlights from the stored text', async () => {
    const doc = await packedFixture('900000101', { source: '13801766' });
    const answers = await uploadBatch(new ContentClient(t.url, ADMIN_KEY), [doc]);
    expect(answers.get('900000101')?.status).toBe('stored');
    const hits = await eventually(
      async () => {
        const h = await found('апеляційної скарги');
        return h.some((x: { id: string }) => x.id === '900000101') && h;
      },
      30_000,
      'the uploaded document to be found by its words',
    );
    const hit = hits.find((x: { id: string }) => x.id === '900000101');
    expect(hit.snippet).toMatch(/<mark>апеляційн\S*<\/mark>/);
    expect(await t.ok(SEARCH, { filter: { documentIds: ['900000101'] } })).toMatchObject({
      documents: { edges: [{ node: { documentId: '900000101', indexedAt: expect.any(String) } }] },
    });
  });

  it('indexes a stream of uploads that never pauses while it lasts, and all of it once it stops', async () => {
    const client = new ContentClient(t.url, ADMIN_KEY);
    const ids: string[] = [];
    const unindexed = () => prisma.document.count({ where: { documentId: { in: ids }, indexedAt: null } });
    // Batches back to back, never pausing as long as the indexer waits for: only its longest delay lets it in.
    for (let i = 0; ids.length === 0 || (await unindexed()) === ids.length; i++) {
      if (i === 5000) throw new Error(`none of ${ids.length} documents was indexed while uploads went on`);
      const id = String(900000200 + i);
      const answers = await uploadBatch(client, [await packedFixture(id, { source: '101476997' })]);
      expect(answers.get(id)?.status).toBe('stored');
      ids.push(id);
    }
    await eventually(async () => (await unindexed()) === 0, 30_000, 'every document of the stream to be indexed');
  });

  // A restarted PGlite test gate starts on a new in-memory database: the restart needs PostgreSQL.
  it.skipIf(storage === 'pglite')(
    'a gate indexes at start what was stored and never indexed (a crash between store and index)',
    async () => {
      const client = new ContentClient(t.url, ADMIN_KEY);
      const docs = await Promise.all(
        ['900000102', '900000103'].map((id) => packedFixture(id, { source: '107751396' })),
      );
      expect([...(await uploadBatch(client, docs)).values()].map((a) => a.status)).toEqual(['stored', 'stored']);
      await eventually(
        async () =>
          (await prisma.document.count({
            where: { documentId: { in: ['900000102', '900000103'] }, indexedAt: null },
          })) === 0,
        30_000,
        'the two documents to be indexed',
      );
      // What a gate killed after the upload committed and before its drain leaves behind: stored, not indexed.
      await prisma.$executeRaw`
      UPDATE documents SET search_vector = NULL, indexed_at = NULL WHERE document_id IN ('900000102', '900000103')`;
      expect((await found('Ракитнянский')).map((x: { id: string }) => x.id)).not.toContain('900000102');
      t = await t.restart();
      await eventually(
        async () => {
          const ids = (await found('Ракитнянский')).map((x: { id: string }) => x.id);
          return ids.includes('900000102') && ids.includes('900000103');
        },
        30_000,
        'the restarted gate to index what was left unindexed',
      );
    },
  );
});
