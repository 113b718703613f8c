// The outbox holds what a worker just fetched in memory while the store answers, and puts it on disk whenever it
// could otherwise be lost: the store not answering, a task completing before its documents are stored (settled's
// deadline), the worker stopping. Against a real gate (PostgreSQL, database store); the outbox folder is watched,
// so "never touched the disk" is what the file system saw, not what the outbox says.
import { type FSWatcher, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentClient } from '../../client/corpus/content-client.ts';
import { Outbox, type OutboxOptions } from '../../client/corpus/outbox.ts';
import type { PackedDocument } from '../../client/corpus/pack.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { eventually, readOutput } from '../worker/support.ts';
import { packedFixture } from './support.ts';

let t: TestGate;
const dirs: string[] = [];
const outboxes: Outbox[] = [];
beforeAll(async () => {
  t = await startTestGate('postgres');
});
afterAll(async () => {
  for (const outbox of outboxes) await outbox.stop();
  await t?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function newOutbox(options: Partial<OutboxOptions> = {}): Outbox {
  const dir = mkdtempSync(join(tmpdir(), 'reyestr-outbox-test-'));
  dirs.push(dir);
  const outbox = new Outbox({
    dir,
    client: new ContentClient(t.url, ADMIN_KEY),
    log: pino({ level: 'silent' }),
    clientId: () => null,
    ...options,
  });
  outboxes.push(outbox);
  return outbox;
}

const stored = async (ids: string[]) => {
  const { documents } = await t.ok(
    `query($ids: [String!]) { documents(filter: { documentIds: $ids }) { totalCount } }`,
    {
      ids,
    },
  );
  return documents.totalCount === ids.length;
};

/** What the outbox folder holds, as the worker layout, with the bytes each document was packed from. */
function expectOnDisk(dir: string, documents: PackedDocument[]) {
  const onDisk = readOutput(dir);
  expect(onDisk.map((d) => d.documentId).sort()).toEqual(documents.map((d) => d.documentId).sort());
  for (const d of documents) {
    const path = join(dir, d.documentId, d.documentId);
    expect(readFileSync(`${path}.html`)).toEqual(gunzipSync(d.parts.html.gzip));
    expect(readFileSync(`${path}.txt`)).toEqual(gunzipSync(d.parts.text.gzip));
    expect(readFileSync(`${path}.json`)).toEqual(gunzipSync(d.parts.metadata.gzip));
  }
}

describe('outbox: held in memory, on disk when it matters', () => {
  it('while the store answers, a held document is stored without touching the disk', async () => {
    const outbox = newOutbox();
    const seen: string[] = [];
    const watcher: FSWatcher = watch(outbox.dir, (event, name) => seen.push(`${event} ${name}`));
    try {
      outbox.start();
      const documents = await Promise.all(['9100000001', '9100000002', '9100000003'].map((id) => packedFixture(id)));
      for (const d of documents) expect(outbox.hold(d.documentId, d)).toBe(true);
      expect(outbox.holds('9100000001')).toBe(true);
      const ids = documents.map((d) => d.documentId);
      await outbox.settled(ids);
      expect(await stored(ids)).toBe(true);
      expect(outbox.pending).toBe(0);
      expect(outbox.holds('9100000001')).toBe(false);
    } finally {
      watcher.close();
    }
    expect(seen).toEqual([]);
  });

  it('a store that does not answer: held documents go into the outbox folder, and up once it answers', async () => {
    const outbox = newOutbox();
    outbox.start();
    const documents = await Promise.all(['9100000011', '9100000012'].map((id) => packedFixture(id)));
    const ids = documents.map((d) => d.documentId);
    t = await t.restart(
      {},
      {
        keepPort: true,
        whileDown: async () => {
          for (const d of documents) expect(outbox.hold(d.documentId, d)).toBe(true);
          // settled returns once the outbox knows the store is away — with both documents on disk by then.
          await outbox.settled(ids);
          expect(outbox.outage).toBe(true);
          expectOnDisk(outbox.dir, documents);
          // Nothing more is held in memory while the store is away.
          expect(outbox.hold('9100000013', await packedFixture('9100000013'))).toBe(false);
        },
      },
    );
    outbox.gateAnswers();
    await eventually(() => stored(ids), 60_000, 'the documents to be stored after the outage');
    await eventually(() => readOutput(outbox.dir).length === 0, 60_000, 'the outbox folder to empty');
  });

  it("settled's deadline and stop: what is not stored yet is on disk when they return", async () => {
    const outbox = newOutbox(); // not started: nothing is uploaded until start()
    const [first, second] = await Promise.all(['9100000021', '9100000022'].map((id) => packedFixture(id)));
    expect(outbox.hold(first.documentId, first)).toBe(true);
    expect(outbox.hold(second.documentId, second)).toBe(true);
    await outbox.settled([first.documentId], Date.now());
    expectOnDisk(outbox.dir, [first]);
    outbox.start();
    await outbox.settled([first.documentId, second.documentId]);
    expect(await stored([first.documentId, second.documentId])).toBe(true);
    expect(readOutput(outbox.dir)).toEqual([]);

    const stopping = newOutbox();
    const third = await packedFixture('9100000023');
    expect(stopping.hold(third.documentId, third)).toBe(true);
    await stopping.stop();
    expectOnDisk(stopping.dir, [third]);
    expect(stopping.hold('9100000024', await packedFixture('9100000024'))).toBe(false);
  });

  it('documents held one after another go up a full batch at a time; a part batch goes when someone waits for it or the outbox stops', async () => {
    const batches: number[] = [];
    const log = pino(
      { level: 'debug' },
      {
        write: (line: string) => {
          const entry = JSON.parse(line);
          if (entry.msg === 'uploading a batch of documents') batches.push(entry.documents);
        },
      },
    );
    // A linger far longer than the test: only a full batch, a settled() caller or stopping sends anything.
    const outbox = newOutbox({ batchSize: 5, lingerMs: 600_000, log });
    outbox.start();
    const ids = ['9100000031', '9100000032', '9100000033', '9100000034', '9100000035', '9100000036', '9100000037'];
    const documents = await Promise.all(ids.map((id) => packedFixture(id)));
    for (const d of documents.slice(0, 5)) {
      expect(outbox.hold(d.documentId, d)).toBe(true);
      await new Promise((resolve) => setImmediate(resolve)); // the loop runs between two documents
    }
    await outbox.settled(ids.slice(0, 5));
    expect(batches).toEqual([5]);
    expect(outbox.hold(ids[5], documents[5])).toBe(true);
    await outbox.settled([ids[5]]);
    expect(batches).toEqual([5, 1]);
    expect(outbox.hold(ids[6], documents[6])).toBe(true);
    await outbox.stop(Date.now() + 60_000);
    expect(batches).toEqual([5, 1, 1]);
    expect(await stored(ids)).toBe(true);
    expect(readOutput(outbox.dir)).toEqual([]);
  });
});
