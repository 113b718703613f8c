// Finding decisions: `documents(filter, query, orderBy)` (Relay, offset cursors, totalCount exact up to a cap)
// and `documentStats(groupBy, filter, query)`. Thin: server/services/document-search.ts decides everything.
import { cursorToOffset, offsetToCursor } from '@pothos/plugin-relay';
import type { DateRange } from '../db/sql/document-filter.ts';
import * as search from '../services/document-search.ts';
import { badInput } from '../services/errors.ts';
import { builder } from './builder.ts';
import { DocumentRef } from './document.ts';

const DocumentOrder = builder.enumType('DocumentOrder', {
  values: {
    RELEVANCE: { description: 'best match first (the default with a query); without a query: ADOPTED_ON_DESC' },
    ADOPTED_ON_DESC: { description: 'newest decision first (the default without a query)' },
    ADOPTED_ON_ASC: {},
    FETCHED_AT_DESC: { description: 'most recently downloaded first' },
  } as const,
});

const StatsDimension = builder.enumType('DocumentStatsDimension', {
  values: {
    REGION: { description: 'courtRegion' },
    COURT: { description: 'courtName' },
    JUDGE: { description: 'judge' },
    FORM: { description: 'decisionForm (VRType)' },
    KIND: { description: 'proceedingForm (CSType)' },
    INSTANCE: { description: 'instance (INSType)' },
    YEAR: { description: 'year adopted' },
    MONTH: { description: 'month adopted (YYYY-MM)' },
  } as const,
});

const DateRangeInput = builder.inputType('DateRange', {
  description: 'Inclusive; either end may be left out. Dates as YYYY-MM-DD.',
  fields: (t) => ({ from: t.string({ required: false }), to: t.string({ required: false }) }),
});

export const DocumentFilterInput = builder.inputType('DocumentFilter', {
  description:
    'Every field narrows the search (AND); a list matches any of its values. Codes are the registry form values (a Ukrainian name is accepted too).',
  fields: (t) => ({
    documentIds: t.stringList({ required: false, description: 'registry ids' }),
    caseNumber: t.string({ required: false, description: 'exact case number, e.g. 2-а-2968/11' }),
    proceedingNumber: t.string({ required: false }),
    courtRegions: t.stringList({ required: false, description: 'CourtRegion codes (11 = Київська область)' }),
    courtCodes: t.stringList({ required: false }),
    courtNames: t.stringList({ required: false, description: 'exact court names' }),
    judges: t.stringList({ required: false, description: 'exact judge names as the registry writes them' }),
    instances: t.stringList({ required: false, description: 'INSType codes' }),
    decisionForms: t.stringList({
      required: false,
      description: 'VRType codes (1 Вирок, 2 Постанова, 3 Рішення, 5 Ухвала…)',
    }),
    proceedingForms: t.stringList({
      required: false,
      description: 'CSType codes (1 civil, 2 criminal, 3 commercial, 4 administrative, 5 offences)',
    }),
    caseCategory: t.string({ required: false, description: 'the category path starts with this (any case)' }),
    adoptedOn: t.field({ type: DateRangeInput, required: false }),
    sentOn: t.field({ type: DateRangeInput, required: false }),
    registeredOn: t.field({ type: DateRangeInput, required: false }),
    publishedOn: t.field({ type: DateRangeInput, required: false }),
    inForceOn: t.field({ type: DateRangeInput, required: false }),
    taskId: t.id({ required: false }),
    clientId: t.id({ required: false }),
    indexed: t.boolean({ required: false, description: 'true: only documents whose text is indexed' }),
  }),
});

type FilterArg = typeof DocumentFilterInput.$inferInput;

/** GraphQL's filter (IDs may be numbers, absent fields null) → the service's filter input. */
export function filterInput(
  filter: FilterArg | null | undefined,
  legacy: { taskId?: unknown; clientId?: unknown } = {},
) {
  const f = { ...(filter ?? {}) } as Record<string, unknown>;
  for (const key of ['taskId', 'clientId'] as const) {
    const value = f[key] ?? legacy[key];
    f[key] = value == null ? null : String(value);
  }
  return f as search.SearchInput['filter'] & { adoptedOn?: DateRange | null };
}

const DocumentStatsGroupRef = builder.objectRef<search.StatsGroup>('DocumentStatsGroup').implement({
  description: 'One group: the dimensions asked for are set, the others null.',
  fields: (t) => ({
    courtRegion: t.string({ nullable: true, resolve: (g) => g.courtRegion ?? null }),
    courtRegionName: t.string({ nullable: true, resolve: (g) => g.courtRegionName ?? null }),
    courtName: t.string({ nullable: true, resolve: (g) => g.courtName ?? null }),
    judge: t.string({ nullable: true, resolve: (g) => g.judge ?? null }),
    decisionForm: t.string({ nullable: true, resolve: (g) => g.decisionForm ?? null }),
    decisionFormName: t.string({ nullable: true, resolve: (g) => g.decisionFormName ?? null }),
    proceedingForm: t.string({ nullable: true, resolve: (g) => g.proceedingForm ?? null }),
    proceedingFormName: t.string({ nullable: true, resolve: (g) => g.proceedingFormName ?? null }),
    instance: t.string({ nullable: true, resolve: (g) => g.instance ?? null }),
    instanceName: t.string({ nullable: true, resolve: (g) => g.instanceName ?? null }),
    year: t.int({ nullable: true, resolve: (g) => g.year ?? null }),
    month: t.string({ nullable: true, resolve: (g) => g.month ?? null }),
    count: t.exposeInt('count'),
  }),
});

const DocumentStatsRef = builder
  .objectRef<Awaited<ReturnType<typeof search.documentStats>>>('DocumentStats')
  .implement({
    fields: (t) => ({
      groups: t.field({ type: [DocumentStatsGroupRef], resolve: (s) => s.groups }),
      total: t.exposeInt('total', { description: 'documents in the groups returned' }),
      truncated: t.exposeBoolean('truncated', {
        description: `more than ${search.MAX_STATS_GROUPS} groups: only the first are returned`,
      }),
    }),
  });

const QUERY_DESCRIPTION =
  'Full text over the header and text, Ukrainian and Russian word forms alike (апеляційна скарга finds апеляційної скарги): words are ANDed, "quoted words" must stand together, -word excludes, word* is a prefix.';

builder.queryFields((t) => ({
  documents: t.connection(
    {
      type: DocumentRef,
      description:
        'Documents matching a filter and a full-text query. Cursors are offsets (at most 10,000 deep: narrow the filter, or export); `last`/`before` are not supported.',
      args: {
        filter: t.arg({ type: DocumentFilterInput, required: false }),
        query: t.arg.string({ required: false, description: QUERY_DESCRIPTION }),
        orderBy: t.arg({ type: DocumentOrder, required: false }),
        taskId: t.arg.id({ required: false, description: 'same as filter.taskId' }),
        clientId: t.arg.id({ required: false, description: 'same as filter.clientId' }),
      },
      resolve: async (_p, args, ctx) => {
        if (args.last != null || args.before != null)
          throw badInput('documents: page forward with first/after (last/before are not supported)', [
            { path: ['last'], message: 'not supported' },
          ]);
        const offset = args.after ? afterOffset(args.after) : 0;
        const result = await search.searchDocuments(ctx.actor, {
          filter: filterInput(args.filter, args),
          query: args.query,
          orderBy: args.orderBy,
          first: args.first,
          offset,
        });
        return {
          totalCount: result.totalCount,
          totalCountExact: result.totalCountExact,
          edges: result.hits.map((hit, i) => ({ ...hit, node: hit.document, cursor: offsetToCursor(offset + i) })),
          pageInfo: {
            hasNextPage: result.hasNextPage,
            hasPreviousPage: offset > 0,
            startCursor: result.hits.length ? offsetToCursor(offset) : null,
            endCursor: result.hits.length ? offsetToCursor(offset + result.hits.length - 1) : null,
          },
        };
      },
    },
    {
      name: 'DocumentConnection',
      fields: (c) => ({
        totalCount: c.int({
          description: `exact up to ${search.COUNT_CAP} matches; beyond, the planner's estimate (see totalCountExact)`,
          resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount,
        }),
        totalCountExact: c.boolean({
          resolve: (connection) => (connection as unknown as { totalCountExact: boolean }).totalCountExact,
        }),
      }),
    },
    {
      name: 'DocumentEdge',
      fields: (e) => ({
        snippet: e.string({
          nullable: true,
          description:
            'With a query: the stretch of the text with the most matches, matched words in <mark>…</mark>, everything else HTML-escaped',
          resolve: (edge) => (edge as unknown as search.DocumentHit).snippet,
        }),
        rank: e.float({
          nullable: true,
          description: 'relevance (ts_rank_cd) in RELEVANCE order',
          resolve: (edge) => (edge as unknown as search.DocumentHit).rank,
        }),
      }),
    },
  ),
  documentStats: t.field({
    type: DocumentStatsRef,
    description: 'How many documents match, grouped by one or more dimensions (dates: the adopted date).',
    args: {
      groupBy: t.arg({ type: [StatsDimension] }),
      filter: t.arg({ type: DocumentFilterInput, required: false }),
      query: t.arg.string({ required: false, description: QUERY_DESCRIPTION }),
    },
    resolve: (_p, args, ctx) =>
      search.documentStats(ctx.actor, { groupBy: args.groupBy, filter: filterInput(args.filter), query: args.query }),
  }),
}));

function afterOffset(cursor: string): number {
  try {
    return cursorToOffset(cursor) + 1;
  } catch {
    throw badInput('after: not a cursor of this connection', [{ path: ['after'], message: 'not a cursor' }]);
  }
}
