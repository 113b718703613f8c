// One page of documents matching a filter, in relevance or date order: ids (and ranks) only — the service
// reads the rows and snippets of the page afterwards. Ties are broken by id so pages never overlap.
import { Prisma } from '../../generated/prisma/client.ts';
import type { prisma } from '../database.ts';
import { type DocumentFilter, documentWhere, tsqueryOf } from './document-filter.ts';

export type DocumentOrder = 'RELEVANCE' | 'ADOPTED_ON_DESC' | 'ADOPTED_ON_ASC' | 'FETCHED_AT_DESC';

type Db = Pick<typeof prisma, '$queryRaw'>;

const ORDER: Record<Exclude<DocumentOrder, 'RELEVANCE'>, Prisma.Sql> = {
  ADOPTED_ON_DESC: Prisma.sql`d.adopted_on DESC NULLS LAST, d.id DESC`,
  ADOPTED_ON_ASC: Prisma.sql`d.adopted_on ASC NULLS LAST, d.id ASC`,
  FETCHED_AT_DESC: Prisma.sql`d.fetched_at DESC, d.id DESC`,
};

/** The statement of one page (also EXPLAINed by bench:search). */
export function searchDocumentIdsSql(filter: DocumentFilter, order: DocumentOrder, limit: number, offset: number) {
  const ranked = order === 'RELEVANCE' && filter.tsquery;
  const rank = ranked ? Prisma.sql`ts_rank_cd(d.search_vector, ${tsqueryOf(filter.tsquery!)})` : Prisma.sql`NULL`;
  const orderBy = ranked
    ? Prisma.sql`rank DESC, d.adopted_on DESC NULLS LAST, d.id DESC`
    : ORDER[order === 'RELEVANCE' ? 'ADOPTED_ON_DESC' : order];
  return Prisma.sql`
    SELECT d.id::text AS id, ${rank}::float8 AS rank FROM documents d
    ${documentWhere(filter)}
    ORDER BY ${orderBy}
    LIMIT ${limit} OFFSET ${offset}`;
}

export function searchDocumentIds(
  db: Db,
  filter: DocumentFilter,
  order: DocumentOrder,
  limit: number,
  offset: number,
): Promise<Array<{ id: string; rank: number | null }>> {
  return db.$queryRaw(searchDocumentIdsSql(filter, order, limit, offset));
}

/** How many documents match, counting at most `cap + 1` (beyond the cap the service estimates). */
export async function countDocuments(db: Db, filter: DocumentFilter, cap: number): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>`
    SELECT count(*)::int AS n FROM (SELECT 1 FROM documents d ${documentWhere(filter)} LIMIT ${cap + 1}) matching`;
  return row.n;
}

/** The planner's estimate of how many documents match (EXPLAIN, nothing is read). */
export async function estimateDocuments(db: Pick<typeof prisma, '$queryRaw'>, filter: DocumentFilter): Promise<number> {
  const rows = await db.$queryRaw<Array<{ 'QUERY PLAN': unknown }>>`
    EXPLAIN (FORMAT JSON) SELECT 1 FROM documents d ${documentWhere(filter)}`;
  const plan = rows[0]?.['QUERY PLAN'];
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as Array<{ Plan: { 'Plan Rows': number } }>;
  return Math.round(parsed[0]?.Plan['Plan Rows'] ?? 0);
}
