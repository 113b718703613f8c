// Two gate processes on one PostgreSQL and one S3 store (s3rver): a gate killed (SIGKILL) while its uploads were
// under way leaves objects no document records — the other gate's sweeper removes them after the grace period
// (they are found by their upload records, never by listing the bucket); the same decisions uploaded through
// both gates at once are stored once, three objects each, none twice.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentClient } from '../../client/corpus/content-client.ts';
import { uploadBatch } from '../../client/corpus/upload.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { type GateProcess, startGateProcess } from '../support/gate-process.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { eventually } from '../worker/support.ts';
import { packedFixture } from './support.ts';

const KEY = 'gates-s3-admin-key-0123456789abcdef';

describe('several gates on one PostgreSQL and one S3 store', () => {
  let db: TestDatabase;
  let s3: TestS3;
  let sql: pg.Client;
  const gates: GateProcess[] = [];
  // An upload is an orphan once it is older than the grace period. Only the sweeping gate applies it: the gates
  // that hold it while uploads are under way are given an hour, so a loaded machine (a PUT taking seconds) cannot
  // turn a live upload into an orphan; the gate that takes over after the kill is given 1 s.
  const gate = async (graceSeconds: number) => {
    const started = await startGateProcess({
      DATABASE_URL: (db.config as { url: string }).url,
      ...s3.env(),
      ADMIN_API_KEY: KEY,
      DOCUMENT_ORPHAN_GRACE_SECONDS: String(graceSeconds),
      SWEEP_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'info',
    });
    gates.push(started);
    return started;
  };
  const documents = async () =>
    (await sql.query('SELECT document_id, sha256 FROM documents WHERE stored_at IS NOT NULL ORDER BY 1')).rows;

  beforeAll(async () => {
    db = await createPostgresDatabase('reyestr_gates_s3');
    s3 = await startTestS3('reyestr-gates');
    sql = new pg.Client({ connectionString: (db.config as { url: string }).url });
    await sql.connect();
  });
  afterAll(async () => {
    for (const g of gates) await g.stop('SIGKILL');
    await sql?.end();
    await s3?.close();
    await db?.drop();
  });

  it('a gate killed mid-upload leaves no orphan after the sweep; both gates at once store each decision once', async () => {
    const ids = ['900000301', '900000302', '900000303', '900000304'];
    const docs = await Promise.all(ids.map((id, i) => packedFixture(id, { source: ['13801766', '107751396'][i % 2] })));
    const first = await gate(3_600);
    await first.waitFor(/this gate is now the sweeper/); // the one sweeper while the uploads are under way
    const second = await gate(1);

    // Through the first gate: prepared (upload records) and the HTML PUT straight to the bucket; then the gate
    // dies before the batch is confirmed.
    const viaFirst = new ContentClient(first.url, KEY);
    const prepared = await viaFirst.prepare(docs);
    expect(prepared.directUploads).toBe(true);
    for (const [i, outcome] of prepared.documents.entries())
      await viaFirst.putDirect(outcome.put!, docs[i].parts.html.gzip);
    expect(await s3.keys()).toHaveLength(ids.length);
    await first.stop('SIGKILL');
    expect(await documents()).toEqual([]);

    // The second gate's sweeper finds them by their upload records and removes the objects and the records.
    await eventually(async () => (await s3.keys()).length === 0, 30_000, 'the orphaned objects to be swept');
    await eventually(
      async () => (await sql.query('SELECT count(*)::int AS n FROM document_uploads')).rows[0].n === 0,
      30_000,
      'the upload records to be removed',
    );

    // Both gates at once, the same decisions: each stored once, three objects each. The sweeper moves to a gate
    // with the long grace first (the second one stops), so no upload under way is taken for an orphan.
    const third = await gate(3_600);
    await second.stop('SIGTERM');
    await third.waitFor(/this gate is now the sweeper/, 60_000);
    const fourth = await gate(3_600);
    const answers = await Promise.all([third, fourth].map((g) => uploadBatch(new ContentClient(g.url, KEY), docs)));
    for (const id of ids) {
      const statuses = answers.map((a) => a.get(id)?.status).sort();
      expect(
        statuses.filter((s) => s === 'stored'),
        `${id}: ${statuses}`,
      ).toHaveLength(1);
      expect(
        statuses.every((s) => s === 'stored' || s === 'present'),
        `${id}: ${statuses}`,
      ).toBe(true);
    }
    const stored = await documents();
    expect(stored.map((r) => r.document_id)).toEqual(ids);
    const keys = await s3.keys();
    expect(keys).toHaveLength(ids.length * 3);
    for (const r of stored) expect(keys.filter((k) => k.includes(`/${r.document_id}/${r.sha256}/`))).toHaveLength(3);
    // No upload record is left, so no sweep can take anything of a recorded decision.
    await eventually(
      async () => (await sql.query('SELECT count(*)::int AS n FROM document_uploads')).rows[0].n === 0,
      30_000,
      'no upload records left',
    );
    expect(await s3.keys()).toHaveLength(ids.length * 3);
    // The SDK's Node-version notice (8 lines at the first S3 client on Node < 22) is off: the version is pinned.
    for (const g of gates) expect(g.stderr()).not.toContain('NodeVersionSupportWarning');
  });
});
