// The document store through the gate, on both stores (PostgreSQL table, and S3 on a real s3rver): a batch
// upload stores each decision whole, a second one stores nothing, the content reads back (REST streamed
// with ETag = sha256, GraphQL fields), bad input is refused with a reason and leaves nothing behind, and only
// workers whose key was leased the task may store its documents — also after the lease was lost.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadAnswer } from '../../client/corpus/content-client.ts';
import { type MultipartFile, multipartBody } from '../../client/corpus/multipart-body.ts';
import { manifestEntry } from '../../client/corpus/pack.ts';
import { uploadBatch } from '../../client/corpus/upload.ts';
import { prisma } from '../../server/db/database.ts';
import { CLAIM, CREATE_TASK, REGISTER, region11 } from '../gate/operations.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { createWorkerKey, eventually } from '../worker/support.ts';
import { contentClient, packedFixture } from './support.ts';

const DOCUMENT = `query($id: ID!) { document(id: $id) { documentId sha256 sizeBytes storedAt storage textSha256 storedBytes html text metadata } }`;

describe.each(['database', 's3'] as const)('document store: %s', (kind) => {
  let t: TestGate;
  let s3: TestS3 | null = null;

  beforeAll(async () => {
    if (kind === 's3') s3 = await startTestS3();
    t = await startTestGate('postgres', {
      documentStore: s3 ? s3.storeConfig() : { kind: 'database' },
      // A short grace, so the orphan test needs no long wait (the sweeper runs only when a test calls it).
      corpus: { maxDocumentBytes: 1024 * 1024, orphanGraceSeconds: 1 },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await s3?.close();
  });

  const admin = () => contentClient(t.url, 'test-admin-key-0123456789abcdef');

  it('stores a decision whole, once, and reads it back', async () => {
    const doc = await packedFixture('900000001');
    const first = await uploadBatch(admin(), [doc]);
    expect(first.get('900000001')).toMatchObject({ status: 'stored' });
    const again = await uploadBatch(admin(), [doc]);
    expect(again.get('900000001')).toMatchObject({ status: 'present' });

    const { document } = await t.ok(DOCUMENT, { id: '900000001' });
    const html = gunzipSync(doc.parts.html.gzip).toString('utf8');
    const text = gunzipSync(doc.parts.text.gzip).toString('utf8');
    expect(document).toMatchObject({
      documentId: '900000001',
      sha256: doc.parts.html.sha256,
      sizeBytes: doc.parts.html.size,
      storage: kind === 's3' ? 'S3' : 'DATABASE',
      textSha256: doc.parts.text.sha256,
      html,
      text,
    });
    expect(document.storedAt).toBeTruthy();
    expect(document.metadata.courtName).toBe('Test court'); // the results row, flattened as before
    expect(document.storedBytes).toBe(
      doc.parts.html.storedSize + doc.parts.text.storedSize + doc.parts.metadata.storedSize,
    );
    const { knownDocumentIds } = await t.ok(`query { knownDocumentIds(documentIds: ["900000001", "900000002"]) }`);
    expect(knownDocumentIds).toEqual(['900000001']);
    if (s3) expect(await s3.keys()).toHaveLength(3); // one object per part, none twice
  });

  it('takes a batch as one file of all its parts once the gate says so, and refuses one that does not add up', async () => {
    const client = admin();
    expect(client.partsFile).toBe(false); // a gate that never said so gets a file a part
    const [first, second, third] = await Promise.all(
      ['900000050', '900000051', '900000052'].map((id) => packedFixture(id)),
    );
    expect((await client.store([first])).partsFile).toBe(true);
    expect(client.partsFile).toBe(true);
    // The next batch goes as the one file `parts` (html, text, metadata of each document, in the manifest's order).
    const stored = await client.store([second, third]);
    expect(stored.documents.map((d) => d.status)).toEqual(['stored', 'stored']);
    const { document } = await t.ok(DOCUMENT, { id: '900000052' });
    expect(document).toMatchObject({ sha256: third.parts.html.sha256, textSha256: third.parts.text.sha256 });
    expect(document.html).toBe(gunzipSync(third.parts.html.gzip).toString('utf8'));

    const fourth = await packedFixture('900000053');
    const { html, text, metadata } = fourth.parts;
    const send = (parts: Buffer[], { entry = manifestEntry(fourth), extra = [] as MultipartFile[] } = {}) => {
      const { body, contentType } = multipartBody({ manifest: JSON.stringify({ documents: [entry] }) }, [
        { name: 'parts', type: 'application/octet-stream', data: parts },
        ...extra,
      ]);
      return fetch(`${t.url}/api/v1/documents/content`, {
        method: 'POST',
        headers: { 'x-api-key': 'test-admin-key-0123456789abcdef', 'content-type': contentType },
        body: new Uint8Array(body),
      });
    };
    const all = [html.gzip, text.gzip, metadata.gzip];
    const short = await send(all.slice(0, 2));
    expect(short.status).toBe(422);
    expect(await short.text()).toMatch(
      /parts.{1,3} holds \d+ bytes; the manifest's parts \(storedSize\) add up to \d+/,
    );
    const extra = [{ name: '900000053.html', type: 'application/gzip', data: html.gzip }];
    expect((await send(all, { extra })).status).toBe(422);
    // Sizes that add up but are shifted between two parts: the document is checked part by part and refused.
    const entry = manifestEntry(fourth);
    entry.parts.html.storedSize -= 1;
    entry.parts.text.storedSize += 1;
    const shifted = await send(all, { entry });
    expect(shifted.status).toBe(200);
    expect(((await shifted.json()) as UploadAnswer).documents[0]).toMatchObject({ status: 'rejected' });
    const { knownDocumentIds } = await t.ok(`query { knownDocumentIds(documentIds: ["900000053"]) }`);
    expect(knownDocumentIds).toEqual([]);
    expect((await send(all)).status).toBe(200); // the same parts, sizes as they are: stored
    const { knownDocumentIds: now } = await t.ok(`query { knownDocumentIds(documentIds: ["900000053"]) }`);
    expect(now).toEqual(['900000053']);
  });

  it('streams HTML and text over REST with ETag = sha256, gzip or plain', async () => {
    const doc = await packedFixture('900000003', { source: '107751396' });
    await uploadBatch(admin(), [doc]);
    const headers = { 'x-api-key': 'test-admin-key-0123456789abcdef' };
    const plain = await fetch(`${t.url}/api/v1/documents/900000003/html`, {
      headers: { ...headers, 'accept-encoding': 'identity' },
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(plain.headers.get('etag')).toBe(`"${doc.parts.html.sha256}"`);
    // Opened in a browser, the registry's HTML runs nothing and cannot reach the gate's origin.
    expect(plain.headers.get('content-security-policy')).toMatch(/^sandbox;.*default-src 'none'/);
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await plain.arrayBuffer())).toEqual(gunzipSync(doc.parts.html.gzip));

    const text = await fetch(`${t.url}/api/v1/documents/900000003/text`, { headers });
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.headers.get('content-encoding')).toBe('gzip'); // passed through from the store
    expect(text.headers.get('etag')).toBe(`"${doc.parts.text.sha256}"`);
    expect(await text.text()).toBe(gunzipSync(doc.parts.text.gzip).toString('utf8'));

    const cached = await fetch(`${t.url}/api/v1/documents/900000003/html`, {
      headers: { ...headers, 'if-none-match': `"${doc.parts.html.sha256}"` },
    });
    expect(cached.status).toBe(304);

    const json = await fetch(`${t.url}/api/v1/documents/900000003/json`, { headers });
    expect(((await json.json()) as { documentId: string }).documentId).toBe('900000003');

    expect((await fetch(`${t.url}/api/v1/documents/900000003/html`)).status).toBe(401);
    const missing = await fetch(`${t.url}/api/v1/documents/900000999/html`, { headers });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/900000999 not found/);
    const bad = await fetch(`${t.url}/api/v1/documents/..%2Fetc/html`, { headers });
    expect(bad.status).toBe(422);
  });

  it('refuses bad content with a reason and stores nothing of it', async () => {
    const good = await packedFixture('900000010');
    // Text and metadata pass through the gate in both stores; the HTML does only in the database store (with
    // S3 the worker PUTs it to the store itself, checked there by its signed Content-MD5 and by a HEAD).
    const wrongSha = await packedFixture('900000011');
    wrongSha.parts[kind === 'database' ? 'html' : 'text'].sha256 = '0'.repeat(64);
    const tooBig = await packedFixture('900000012', { html: `<p>${'x'.repeat(1024 * 1024 + 10)}</p>` });
    const notGzip = await packedFixture('900000013');
    notGzip.parts.text.gzip = Buffer.from('plain text, not gzip');
    notGzip.parts.text.storedSize = notGzip.parts.text.gzip.length;
    const inflatesPastItsSize = await packedFixture('900000014');
    inflatesPastItsSize.parts.text.size -= 10;
    const answers = await uploadBatch(admin(), [good, wrongSha, tooBig, notGzip, inflatesPastItsSize]);
    expect(answers.get('900000010')?.status).toBe('stored');
    expect(answers.get('900000011')).toMatchObject({ status: 'rejected', code: 'BAD_USER_INPUT' });
    expect(answers.get('900000011')?.reason).toMatch(/sha256/);
    expect(answers.get('900000012')).toMatchObject({ status: 'rejected' });
    expect(answers.get('900000012')?.reason).toMatch(/over the limit/);
    expect(answers.get('900000013')?.reason).toMatch(/not gzip/);
    expect(answers.get('900000014')).toMatchObject({ status: 'rejected', code: 'BAD_USER_INPUT' });
    expect(answers.get('900000014')?.reason).toMatch(/text: more than the \d+ bytes announced/);
    const { knownDocumentIds } = await t.ok(
      `query { knownDocumentIds(documentIds: ["900000010", "900000011", "900000012", "900000013", "900000014"]) }`,
    );
    expect(knownDocumentIds).toEqual(['900000010']);
    const refused = ['900000011', '900000012', '900000013', '900000014'];
    expect(await prisma.document.count({ where: { documentId: { in: refused } } })).toBe(0);
    expect(await prisma.documentContent.count({ where: { documentId: { in: refused } } })).toBe(0);
    if (s3) expect((await s3.keys()).filter((k) => refused.some((id) => k.includes(`/${id}/`)))).toEqual([]);

    // An id that is not the registry's: the whole request is refused, clearly.
    const badId = await fetch(`${t.url}/api/v1/documents/uploads`, {
      method: 'POST',
      headers: { 'x-api-key': 'test-admin-key-0123456789abcdef', 'content-type': 'application/json' },
      body: JSON.stringify({ documents: [{ ...good, documentId: '../../etc', parts: {} }] }),
    });
    expect(badId.status).toBe(422);
    expect(JSON.stringify(await badId.json())).toMatch(/registry document id/);
    const notMultipart = await fetch(`${t.url}/api/v1/documents/content`, {
      method: 'POST',
      headers: { 'x-api-key': 'test-admin-key-0123456789abcdef', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notMultipart.status).toBe(415);
  });

  it('a worker key stores documents of tasks leased to it, also after the lease was lost, and no others', async () => {
    const key = await createWorkerKey(t, `w-${kind}`);
    const otherKey = await createWorkerKey(t, `other-${kind}`);
    const { createTask } = await t.ok(CREATE_TASK, { input: { searchParams: region11, maxDocuments: 5 } });
    const { registerClient } = await t.ok(REGISTER, { name: 'w' }, key);
    const { claimTask } = await t.ok(CLAIM, { clientId: registerClient.id }, key);
    expect(claimTask.task.id).toBe(createTask.id);
    const worker = contentClient(t.url, key);

    const held = await uploadBatch(
      worker,
      [await packedFixture('900000020', { taskId: createTask.id })],
      registerClient.id,
    );
    expect(held.get('900000020')?.status).toBe('stored');

    // The lease is lost (released here; expired or revoked is the same to content): the decision is a fact.
    await t.ok(`mutation($l: [LeaseInput!]!) { releaseTasks(input: { leases: $l }) { id } }`, {
      l: [{ taskId: createTask.id, leaseToken: claimTask.leaseToken }],
    });
    const late = await uploadBatch(
      worker,
      [await packedFixture('900000021', { taskId: createTask.id })],
      registerClient.id,
    );
    expect(late.get('900000021')?.status).toBe('stored');

    const stranger = contentClient(t.url, otherKey);
    const refused = await uploadBatch(stranger, [
      await packedFixture('900000022', { taskId: createTask.id }),
      await packedFixture('900000023'),
    ]);
    expect(refused.get('900000022')).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
    expect(refused.get('900000023')).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
    // A batch attributed to a client must name one of this key's (another key's, or none by that id: all refused).
    const named = await packedFixture('900000025', { taskId: createTask.id });
    await expect(uploadBatch(stranger, [named], registerClient.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const noSuchClient = '00000000-0000-4000-8000-000000000001';
    await expect(uploadBatch(worker, [named], noSuchClient)).rejects.toMatchObject({ code: 'HTTP_404' });
    await expect(worker.prepare([named], noSuchClient)).rejects.toMatchObject({ code: 'HTTP_404' });
    const unknownTask = await uploadBatch(worker, [
      await packedFixture('900000024', { taskId: '00000000-0000-4000-8000-000000000000' }),
    ]);
    expect(unknownTask.get('900000024')).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
    const { knownDocumentIds } = await t.ok(
      `query { knownDocumentIds(documentIds: ["900000020", "900000021", "900000022", "900000023", "900000024", "900000025"]) }`,
    );
    expect(knownDocumentIds.sort()).toEqual(['900000020', '900000021']);
    const { document } = await t.ok(`query { document(id: "900000021") { task { id } client { id } } }`);
    expect(document).toEqual({ task: { id: createTask.id }, client: { id: registerClient.id } });
  });

  it('two workers uploading the same decision at once store it once', async () => {
    const [a, b] = [await packedFixture('900000040'), await packedFixture('900000040')];
    const answers = await Promise.all([uploadBatch(admin(), [a]), uploadBatch(admin(), [b])]);
    expect(answers.map((m) => m.get('900000040')?.status).sort()).toEqual(['present', 'stored']);
    expect(await prisma.document.count({ where: { documentId: '900000040' } })).toBe(1);
    if (s3) expect((await s3.keys()).filter((k) => k.includes('/900000040/'))).toHaveLength(3);
    else expect(await prisma.documentContent.count({ where: { documentId: '900000040' } })).toBe(1);
  });

  it.runIf(kind === 'database')(
    'two versions of a decision uploaded at once: the first is the decision, the other leaves no content behind',
    async () => {
      const id = '900000041';
      const versions = [await packedFixture(id), await packedFixture(id, { html: '<p>another version</p>' })];
      const answers = await Promise.all(versions.map((v) => uploadBatch(admin(), [v])));
      expect(answers.map((m) => m.get(id)?.status).sort()).toEqual(['present', 'stored']);
      const row = await prisma.document.findUniqueOrThrow({ where: { documentId: id } });
      const contents = await prisma.documentContent.findMany({ where: { documentId: id }, select: { sha256: true } });
      expect(contents).toEqual([{ sha256: row.sha256 }]);
    },
  );

  it.runIf(kind === 's3')(
    'two versions prepared and PUT at once: one is the decision, the other leaves no object behind',
    async () => {
      const id = '900000042';
      const versions = [await packedFixture(id), await packedFixture(id, { html: '<p>another version</p>' })];
      const client = admin();
      // Both prepared and their HTML PUT before either is recorded, then both confirmed at once: the race two
      // workers run into. The loser either finds the decision stored (its upload record stays for the sweeper)
      // or loses inside the recording transaction (its objects go at once: no record would name them later).
      const prepared = await Promise.all(versions.map((v) => client.prepare([v])));
      for (const [i, p] of prepared.entries()) await client.putDirect(p.documents[0].put!, versions[i].parts.html.gzip);
      const answers = await Promise.all(versions.map((v) => client.store([v], null, new Set([id]))));
      expect(answers.map((a) => a.documents[0].status).sort()).toEqual(['present', 'stored']);
      const row = await prisma.document.findUniqueOrThrow({ where: { documentId: id } });
      const keysOf = async () => (await s3!.keys()).filter((k) => k.includes(`/${id}/`));
      await eventually(
        async () => (await t.gate.sweeper.sweepOrphans(), (await keysOf()).length === 3),
        20_000,
        "the other version's objects to be gone",
      );
      expect((await keysOf()).filter((k) => !k.includes(`/${row.sha256}/`))).toEqual([]);
      expect(await prisma.documentUpload.count({ where: { documentId: id } })).toBe(0);
    },
  );

  it.runIf(kind === 's3')(
    'the sweeper removes what a worker uploaded and never confirmed, and nothing else',
    async () => {
      const orphan = await packedFixture('900000030');
      const client = admin();
      const prepared = await client.prepare([orphan]);
      const put = prepared.documents[0].put!;
      expect(put.url).toContain('/900000030/'); // a presigned PUT straight to the store
      await client.putDirect(put, orphan.parts.html.gzip);
      expect((await s3!.keys()).filter((k) => k.includes('/900000030/'))).toHaveLength(1);
      const keptBefore = (await s3!.keys()).filter((k) => !k.includes('/900000030/'));

      // Once older than the grace period (1 s here) the upload is an orphan.
      await eventually(async () => (await t.gate.sweeper.sweepOrphans()) === 1, 20_000, 'the orphan sweep');
      expect((await s3!.keys()).filter((k) => k.includes('/900000030/'))).toEqual([]);
      expect(await s3!.keys()).toEqual(keptBefore); // recorded documents untouched
      expect(await prisma.documentUpload.count()).toBe(0);

      // The worker that comes back late is asked to upload again, and then it is stored.
      const late = await client.store([orphan], null, new Set(['900000030']));
      expect(late.documents[0]).toMatchObject({ status: 'retry' });
      expect((await uploadBatch(client, [orphan])).get('900000030')?.status).toBe('stored');
      expect((await s3!.keys()).filter((k) => k.includes('/900000030/'))).toHaveLength(3);
    },
  );
});
