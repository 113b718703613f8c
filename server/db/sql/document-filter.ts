// The WHERE clause every document search, count, statistic and export shares: one typed column per
// condition (each has an index, see prisma/schema.prisma), and the full-text match when there is a query.
import { Prisma } from '../../generated/prisma/client.ts';

export interface DateRange {
  /** ISO YYYY-MM-DD, inclusive */
  from?: string | null;
  to?: string | null;
}

/** A parsed, validated filter (server/services/document-search.ts makes it). */
export interface DocumentFilter {
  documentIds?: string[];
  caseNumber?: string;
  proceedingNumber?: string;
  courtRegions?: string[];
  courtCodes?: string[];
  courtNames?: string[];
  judges?: string[];
  instances?: string[];
  decisionForms?: string[];
  proceedingForms?: string[];
  /** the category path starts with this */
  caseCategory?: string;
  adoptedOn?: DateRange;
  sentOn?: DateRange;
  registeredOn?: DateRange;
  publishedOn?: DateRange;
  inForceOn?: DateRange;
  taskId?: string;
  clientId?: string;
  /** only documents whose text is indexed (true) or not yet (false) */
  indexed?: boolean;
  /** the tsquery of a search text (server/search/query.ts), over the 'simple' configuration */
  tsquery?: string;
}

const DATE_COLUMNS = {
  adoptedOn: 'adopted_on',
  sentOn: 'sent_on',
  registeredOn: 'registered_on',
  publishedOn: 'published_on',
  inForceOn: 'in_force_on',
} as const;

const LIST_COLUMNS = {
  documentIds: 'document_id',
  courtRegions: 'court_region',
  courtCodes: 'court_code',
  courtNames: 'court_name',
  judges: 'judge',
  instances: 'instance',
  decisionForms: 'decision_form',
  proceedingForms: 'proceeding_form',
} as const;

/** `d.<column>` of the documents table aliased `d`; column names are constants of this module only. */
const column = (name: string) => Prisma.raw(`d.${name}`);

/** The tsquery of a filter, for ranking: `to_tsquery('simple', …)`. */
export const tsqueryOf = (tsquery: string) => Prisma.sql`to_tsquery('simple', ${tsquery})`;

/** `WHERE …` of a filter (plus any `extra` conditions), or nothing when it has no condition. */
export function documentWhere(filter: DocumentFilter, extra: Prisma.Sql[] = []): Prisma.Sql {
  const conditions: Prisma.Sql[] = [...extra];
  for (const [key, name] of Object.entries(LIST_COLUMNS)) {
    const values = filter[key as keyof typeof LIST_COLUMNS];
    if (values?.length === 1) conditions.push(Prisma.sql`${column(name)} = ${values[0]}`);
    else if (values?.length) conditions.push(Prisma.sql`${column(name)} IN (${Prisma.join(values)})`);
  }
  for (const [key, name] of Object.entries(DATE_COLUMNS)) {
    const range = filter[key as keyof typeof DATE_COLUMNS];
    if (range?.from) conditions.push(Prisma.sql`${column(name)} >= ${range.from}::date`);
    if (range?.to) conditions.push(Prisma.sql`${column(name)} <= ${range.to}::date`);
  }
  if (filter.caseNumber) conditions.push(Prisma.sql`d.case_number = ${filter.caseNumber}`);
  if (filter.proceedingNumber) conditions.push(Prisma.sql`d.proceeding_number = ${filter.proceedingNumber}`);
  if (filter.caseCategory)
    conditions.push(Prisma.sql`starts_with(lower(d.case_category), lower(${filter.caseCategory}))`);
  if (filter.taskId) conditions.push(Prisma.sql`d.task_id = ${filter.taskId}::uuid`);
  if (filter.clientId) conditions.push(Prisma.sql`d.client_id = ${filter.clientId}::uuid`);
  if (filter.indexed === true) conditions.push(Prisma.sql`d.search_vector IS NOT NULL`);
  if (filter.indexed === false) conditions.push(Prisma.sql`d.search_vector IS NULL`);
  if (filter.tsquery) conditions.push(Prisma.sql`d.search_vector @@ ${tsqueryOf(filter.tsquery)}`);
  return conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
}
