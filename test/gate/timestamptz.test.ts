// Raw statements' timestamptz values (server/db/timestamptz.ts) are the Dates pg's own parser gives, for every form
// PostgreSQL writes: with and without fractions, other offsets, and the ones left to pg's parser.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz, TIMESTAMPTZ_OID } from '../../server/db/timestamptz.ts';
import { createPostgresDatabase } from '../support/databases.ts';

const pgParse = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text');

describe('timestamptz values of raw statements', () => {
  it.each([
    '2026-12-03 13:14:08.814+00',
    '2026-12-03 13:14:08+00',
    '2026-12-03 13:14:08.8+00',
    '2026-12-03 13:14:08.814916+00',
    '1999-01-01 00:00:00.001-07',
    '2026-03-29 02:30:00+05:30',
    '2026-03-29 02:30:00.123-09:30',
    '0001-01-01 00:00:00+00',
    '1900-01-01 00:00:00+01:02:03',
    '0044-03-15 12:00:00+00 BC',
    'infinity',
    '-infinity',
  ])('%s', (text) => {
    const ours = parseTimestamptz(text);
    const theirs = pgParse(text) as Date | number;
    expect(ours instanceof Date ? ours.getTime() : ours).toEqual(theirs instanceof Date ? theirs.getTime() : theirs);
  });

  it("PostgreSQL's own text of many instants, in UTC and in other time zones", async () => {
    const db = await createPostgresDatabase();
    const client = new pg.Client({ connectionString: (db.config as { url: string }).url });
    await client.connect();
    try {
      for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Kyiv']) {
        await client.query(`SET TIME ZONE '${zone}'`);
        const { rows } = await client.query<{ t: string }>(
          `SELECT (timestamptz '2026-01-01' + n * interval '7 hours 13 minutes 17.123 seconds')::text AS t
           FROM generate_series(-20000, 20000, 37) n`,
        );
        for (const { t } of rows)
          expect([t, parseTimestamptz(t).getTime()]).toEqual([t, (pgParse(t) as Date).getTime()]);
      }
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
