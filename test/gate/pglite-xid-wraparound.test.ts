// Transaction-id wraparound on embedded PGlite, which has no autovacuum to freeze the databases the gate never opens
// (template0, template1): PostgreSQL's limit counts from the oldest of them. The ages are made old by writing
// datfrozenxid back (as if that many transactions had passed) and a database-wide VACUUM (FREEZE), after which
// PostgreSQL computes its limits from pg_database anew. A vacuum pass reports the oldest age on /metrics and warns
// past a billion; past the stop limit the gate's writes fail, and a restart of the gate freezes those databases
// (server/db/pglite-freeze-databases.ts) and writes work again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { sample, scrape } from '../support/metrics.ts';
import * as op from './operations.ts';

/** PostgreSQL stops assigning transaction ids 3M short of 2^31 past the oldest datfrozenxid: this is past that. */
const PAST_STOP_LIMIT = 2 ** 31 - 2_000_000;

/** Makes `databases` look `age` transactions old, and has PostgreSQL take its wraparound limits from that. */
async function ageDatabases(databases: string[], age: number): Promise<void> {
  await prisma.$executeRawUnsafe(
    `UPDATE pg_database SET datfrozenxid = (((txid_current() - $1::bigint) % 4294967296 + 4294967296) % 4294967296)::text::xid
     WHERE datname = ANY($2::text[])`,
    age,
    databases,
  );
  await prisma.$executeRawUnsafe('VACUUM (FREEZE)');
}

const databaseAges = () =>
  prisma.$queryRaw<Array<{ datname: string; age: number }>>`
    SELECT datname, age(datfrozenxid)::int AS age FROM pg_database ORDER BY datname`;

describe('transaction-id wraparound (PGlite)', () => {
  let t: TestGate;
  const lines: string[] = [];
  const logTo = { write: (line: string) => void lines.push(line) };
  beforeAll(async () => {
    t = await startTestGate('pglite', { logLevel: 'info' }, undefined, { logTo });
  });
  afterAll(() => t?.stop());

  it('a vacuum pass puts the oldest database age on /metrics and warns past a billion transactions', async () => {
    await ageDatabases(['template1'], 1_500_000_000);
    await t.gate.pgliteVacuum!.tick();
    expect(sample(await scrape(t.url), 'reyestr_pglite_xid_age')).toBeGreaterThanOrEqual(1_500_000_000);
    expect(lines.some((line) => line.includes('restart the gate to freeze it'))).toBe(true);
  });

  it('past the stop limit writes fail; a restart freezes the other databases and writes work again', async () => {
    await ageDatabases(['template0', 'template1'], PAST_STOP_LIMIT);
    const refused = await t.gql(op.CREATE_TASKS, { tasks: [{ searchParams: op.region11 }] });
    expect(refused.errors?.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('to avoid wraparound data loss in database'))).toBe(true);

    const restartLines: string[] = [];
    t = await t.restart({}, { logTo: { write: (line) => void restartLines.push(line) } });
    const frozen = restartLines.map((line) => JSON.parse(line)).find((line) => line.msg?.includes('froze'));
    expect(frozen?.databases).toEqual(['template0', 'template1']);
    await t.ok(op.CREATE_TASKS, { tasks: [{ searchParams: op.region11 }] });
    for (const { age } of await databaseAges()) expect(age).toBeLessThan(1_000_000);
  });
});
