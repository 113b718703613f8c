// Finding decisions: `documents(filter, query, orderBy)` (Relay, offset cursors, totalCount exact up to a cap)
// and `documentStats(groupBy, filter, query)`. Thin: server/services/document-search.ts decides everything.
import { cursorToOffset, offsetToCursor } from '@pothos/plugin-relay';
import type { DateRange } from '../db/sql/document-filter.ts';
import * as search from '../services/document-search.ts';
import { badInput } from '../services/errors.ts';
import { builder } from './builder.ts';
import { DocumentRef } from './document.ts';

const DocumentOrder = builder.enumType('DocumentOrder', {
  description: 'The order of documents in a search.',
  values: {
    RELEVANCE: { description: 'best match first (the default with a query); without a query: ADOPTED_ON_DESC' },
    ADOPTED_ON_DESC: { description: 'newest decision first (the default without a query)' },
    ADOPTED_ON_ASC: { description: 'oldest decision first' },
    FETCHED_AT_DESC: { description: 'most recently downloaded first' },
  } as const,
});

const StatsDimension = builder.enumType('DocumentStatsDimension', {
  description: 'What documentStats groups by; several give one group per combination.',
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
  fields: (t) => ({
    from: t.string({ required: false, description: 'the first day, e.g. "2024-01-01"; left out: no lower bound' }),
    to: t.string({
      required: false,
      description: 'the last day (included), e.g. "2024-12-31"; left out: no upper bound',
    }),
  }),
});

export const DocumentFilterInput = builder.inputType('DocumentFilter', {
  description:
    'Every field narrows the search (AND); a list matches any of its values. Codes are the registry form values (a Ukrainian name is accepted too).',
  fields: (t) => ({
    documentIds: t.stringList({ required: false, description: 'registry ids' }),
    caseNumber: t.string({ required: false, description: 'exact case number, e.g. 2-а-2968/11' }),
    proceedingNumber: t.string({ required: false, description: 'exact proceeding number (номер провадження)' }),
    courtRegions: t.stringList({ required: false, description: 'CourtRegion codes (11 = Київська область)' }),
    courtCodes: t.stringList({ required: false, description: "the registry's court codes (CourtCode)" }),
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
    adoptedOn: t.field({ type: DateRangeInput, required: false, description: 'adopted in this range (RegDate)' }),
    sentOn: t.field({ type: DateRangeInput, required: false, description: 'sent by the court in this range' }),
    registeredOn: t.field({ type: DateRangeInput, required: false, description: 'registered in this range' }),
    publishedOn: t.field({ type: DateRangeInput, required: false, description: 'made public in this range' }),
    inForceOn: t.field({
      type: DateRangeInput,
      required: false,
      description: 'entered into legal force in this range (LawDate)',
    }),
    taskId: t.id({ required: false, description: 'downloaded by this task' }),
    clientId: t.id({ required: false, description: 'downloaded by this worker' }),
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

type TextDimension = {
  [K in keyof search.StatsGroup]-?: NonNullable<search.StatsGroup[K]> extends string ? K : never;
}[keyof search.StatsGroup];

const DocumentStatsGroupRef = builder.objectRef<search.StatsGroup>('DocumentStatsGroup').implement({
  description: 'One group: the dimensions asked for are set, the others null.',
  fields: (t) => {
    /** A text dimension of a group: null when the group is not by it (or the documents lack it). */
    const group = (key: TextDimension, description: string) =>
      t.string({
        nullable: true,
        description: `${description} (null when not grouped by it, or the documents lack it)`,
        resolve: (g) => (g[key] as string | null | undefined) ?? null,
      });
    return {
      courtRegion: group('courtRegion', 'REGION: the CourtRegion code, e.g. "11"'),
      courtRegionName: group('courtRegionName', 'REGION: its name, e.g. "Київська область"'),
      courtName: group('courtName', 'COURT: the court name as the registry writes it'),
      judge: group('judge', 'JUDGE: the presiding judge as the registry writes the name'),
      decisionForm: group('decisionForm', 'FORM: the VRType code, e.g. "5"'),
      decisionFormName: group('decisionFormName', 'FORM: its name, e.g. "Ухвала"'),
      proceedingForm: group('proceedingForm', 'KIND: the CSType code, e.g. "1"'),
      proceedingFormName: group('proceedingFormName', 'KIND: its name, e.g. "Цивільне"'),
      instance: group('instance', 'INSTANCE: the INSType code, e.g. "2"'),
      instanceName: group('instanceName', 'INSTANCE: its name, e.g. "Апеляційна"'),
      year: t.int({
        nullable: true,
        description: 'YEAR: the year adopted, e.g. 2024 (null when not grouped by YEAR, or the date is unknown)',
        resolve: (g) => g.year ?? null,
      }),
      month: group('month', 'MONTH: the month adopted, e.g. "2024-03"'),
      count: t.exposeInt('count', { description: 'documents in this group' }),
    };
  },
});

const DocumentStatsRef = builder
  .objectRef<Awaited<ReturnType<typeof search.documentStats>>>('DocumentStats')
  .implement({
    description: 'Document counts grouped by the dimensions asked for.',
    fields: (t) => ({
      groups: t.field({
        type: [DocumentStatsGroupRef],
        description: 'the groups: largest first, or in time order when grouped by YEAR or MONTH',
        resolve: (s) => s.groups,
      }),
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
      description: 'A page of matching documents, and how many match in all.',
      fields: (c) => ({
        totalCount: c.int({
          description: `exact up to ${search.COUNT_CAP} matches; beyond, the planner's estimate (see totalCountExact)`,
          resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount,
        }),
        totalCountExact: c.boolean({
          description:
            "true: totalCount is the exact count; false: it is the database planner's estimate (very many matches)",
          resolve: (connection) => (connection as unknown as { totalCountExact: boolean }).totalCountExact,
        }),
      }),
    },
    {
      name: 'DocumentEdge',
      description: 'One matching document, with its cursor and, for a query, its snippet and rank.',
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
