// Counts of documents matching a filter, grouped by any of region, court, judge, form, kind, year, month.
import { Prisma } from '../../generated/prisma/client.ts';
import type { prisma } from '../database.ts';
import { type DocumentFilter, documentWhere } from './document-filter.ts';

export type StatsDimension = 'REGION' | 'COURT' | 'JUDGE' | 'FORM' | 'KIND' | 'INSTANCE' | 'YEAR' | 'MONTH';

/** Output key → the expression it groups by. */
export const DIMENSIONS: Record<StatsDimension, { key: string; sql: Prisma.Sql }> = {
  REGION: { key: 'courtRegion', sql: Prisma.sql`d.court_region` },
  COURT: { key: 'courtName', sql: Prisma.sql`d.court_name` },
  JUDGE: { key: 'judge', sql: Prisma.sql`d.judge` },
  FORM: { key: 'decisionForm', sql: Prisma.sql`d.decision_form` },
  KIND: { key: 'proceedingForm', sql: Prisma.sql`d.proceeding_form` },
  INSTANCE: { key: 'instance', sql: Prisma.sql`d.instance` },
  YEAR: { key: 'year', sql: Prisma.sql`extract(year FROM d.adopted_on)::int` },
  MONTH: { key: 'month', sql: Prisma.sql`to_char(d.adopted_on, 'YYYY-MM')` },
};

type Db = Pick<typeof prisma, '$queryRaw'>;

export type StatsRow = Record<string, string | number | null> & { count: number };

/** Groups over time in time order; other groupings largest first. At most `limit` groups. */
export function documentStatsSql(dimensions: StatsDimension[], filter: DocumentFilter, limit: number) {
  const selected = dimensions.map((d) => Prisma.sql`${DIMENSIONS[d].sql} AS ${Prisma.raw(`"${DIMENSIONS[d].key}"`)}`);
  const positions = Prisma.raw(dimensions.map((_, i) => String(i + 1)).join(', '));
  const overTime = dimensions.some((d) => d === 'YEAR' || d === 'MONTH');
  const order = overTime ? positions : Prisma.sql`count DESC, ${positions}`;
  return Prisma.sql`
    SELECT ${Prisma.join(selected)}, count(*)::int AS count FROM documents d
    ${documentWhere(filter)}
    GROUP BY ${positions}
    ORDER BY ${order}
    LIMIT ${limit}`;
}

export function documentStats(
  db: Db,
  dimensions: StatsDimension[],
  filter: DocumentFilter,
  limit: number,
): Promise<StatsRow[]> {
  return db.$queryRaw(documentStatsSql(dimensions, filter, limit));
}
