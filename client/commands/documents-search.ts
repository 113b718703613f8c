/**
 * `reyestr documents search|stats`: find decisions (full text + filters) and count them by region, court,
 * judge, form, kind, instance, year or month.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { graphql } from '../gate/generated/index.ts';
import type { DocumentOrder, DocumentStatsDimension } from '../gate/generated/graphql.ts';
import { type FilterOptions, filterOf, filterOptions } from './document-filters.ts';
import { action, gateCommand, int, json, type GateOptions, type Output, stdio, table, withGate } from './support.ts';

const SearchDocuments = graphql(`
  query OperatorSearchDocuments($filter: DocumentFilter, $query: String, $orderBy: DocumentOrder, $first: Int, $after: String) {
    documents(filter: $filter, query: $query, orderBy: $orderBy, first: $first, after: $after) {
      totalCount totalCountExact
      pageInfo { hasNextPage endCursor }
      edges { snippet rank node {
        documentId caseNumber adoptedOn decisionForm decisionFormName proceedingForm proceedingFormName
        courtName courtRegion courtRegionName judge sourceUrl
      } }
    }
  }
`);

const DocumentStatsQuery = graphql(`
  query OperatorDocumentStats($groupBy: [DocumentStatsDimension!]!, $filter: DocumentFilter, $query: String) {
    documentStats(groupBy: $groupBy, filter: $filter, query: $query) {
      total truncated
      groups { courtRegion courtRegionName courtName judge decisionForm decisionFormName proceedingForm
        proceedingFormName instance instanceName year month count }
    }
  }
`);

const ORDERS: Record<string, DocumentOrder> = {
  relevance: 'RELEVANCE' as DocumentOrder,
  newest: 'ADOPTED_ON_DESC' as DocumentOrder,
  oldest: 'ADOPTED_ON_ASC' as DocumentOrder,
  fetched: 'FETCHED_AT_DESC' as DocumentOrder,
};

/** --by names → the gate's dimensions, and the columns each one prints. */
const DIMENSIONS: Record<string, { dimension: string; columns: Array<[title: string, key: string]> }> = {
  region: {
    dimension: 'REGION',
    columns: [
      ['REGION', 'courtRegion'],
      ['NAME', 'courtRegionName'],
    ],
  },
  court: { dimension: 'COURT', columns: [['COURT', 'courtName']] },
  judge: { dimension: 'JUDGE', columns: [['JUDGE', 'judge']] },
  form: {
    dimension: 'FORM',
    columns: [
      ['FORM', 'decisionForm'],
      ['FORM NAME', 'decisionFormName'],
    ],
  },
  kind: {
    dimension: 'KIND',
    columns: [
      ['KIND', 'proceedingForm'],
      ['KIND NAME', 'proceedingFormName'],
    ],
  },
  instance: {
    dimension: 'INSTANCE',
    columns: [
      ['INSTANCE', 'instance'],
      ['INSTANCE NAME', 'instanceName'],
    ],
  },
  year: { dimension: 'YEAR', columns: [['YEAR', 'year']] },
  month: { dimension: 'MONTH', columns: [['MONTH', 'month']] },
};

const byOption = (value: string) => {
  const names = value
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((name) => !(name in DIMENSIONS));
  if (names.length === 0 || unknown.length)
    throw new InvalidArgumentError(`use ${Object.keys(DIMENSIONS).join(', ')} (comma-separated)`);
  return names;
};

/** <mark>word</mark> → bold on a terminal, «word» elsewhere; HTML entities decoded. */
export function plainSnippet(snippet: string, tty: boolean): string {
  const marked = snippet.replace(/<mark>(.*?)<\/mark>/g, (_, word: string) =>
    tty ? `\x1b[1m${word}\x1b[22m` : `«${word}»`,
  );
  return marked
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

export function registerDocumentSearchCommands(documents: Command, output: Output = stdio): void {
  filterOptions(
    gateCommand(
      documents,
      'search',
      'find decisions: full text (Ukrainian and Russian word forms alike) and filters',
      'reyestr documents search "апеляційна скарга" --region 11 --from 2024-01-01 --limit 10',
    ),
  )
    .argument('[query]', 'words to find; "quoted words" stand together, -word excludes, word* is a prefix')
    .option('--order <order>', `${Object.keys(ORDERS).join(', ')} (default: relevance with a query, else newest)`)
    .option('--limit <n>', 'at most this many (default 25)', int('--limit', 1, 100), 25)
    .option('--after <cursor>', 'the next page: the cursor the previous page printed')
    .action(
      action(
        async (
          query: string | undefined,
          o: GateOptions & FilterOptions & { order?: string; limit: number; after?: string },
        ) => {
          if (o.order && !(o.order in ORDERS))
            throw new InvalidArgumentError(`--order: use ${Object.keys(ORDERS).join(', ')}`);
          const { documents: found } = await withGate(o, (gate) =>
            gate.request(SearchDocuments, {
              filter: filterOf(o),
              query: query ?? null,
              orderBy: o.order ? ORDERS[o.order] : null,
              first: o.limit,
              after: o.after ?? null,
            }),
          );
          if (o.json) return void output.out(json(found));
          const tty = !!process.stdout.isTTY;
          const lines = found.edges.map(({ node: d, snippet }) => {
            const head = `${d.documentId}  ${d.adoptedOn ?? '-'}  ${d.decisionFormName ?? '-'}  ${d.caseNumber ?? '-'}  ${d.courtName ?? '-'}  ${d.judge ?? '-'}`;
            return snippet ? `${head}\n    ${plainSnippet(snippet, tty)}` : head;
          });
          output.out(lines.length ? `${lines.join('\n')}\n` : 'no documents match\n');
          const total = `${found.totalCountExact ? '' : '~'}${found.totalCount}`;
          output.out(
            `${found.edges.length} of ${total} document(s)${found.pageInfo.hasNextPage ? `; next page: --after ${found.pageInfo.endCursor}` : ''}\n`,
          );
        },
        output,
      ),
    );

  filterOptions(
    gateCommand(
      documents,
      'stats',
      'count decisions by region, court, judge, form, kind, instance, year or month',
      'reyestr documents stats --by region,year --from 2020-01-01',
    ),
  )
    .requiredOption('--by <dimensions>', `comma-separated: ${Object.keys(DIMENSIONS).join(', ')}`, byOption)
    .option('--query <words>', 'only decisions whose text matches')
    .action(
      action(async (o: GateOptions & FilterOptions & { by: string[]; query?: string }) => {
        const { documentStats } = await withGate(o, (gate) =>
          gate.request(DocumentStatsQuery, {
            groupBy: o.by.map((name) => DIMENSIONS[name].dimension as DocumentStatsDimension),
            filter: filterOf(o),
            query: o.query ?? null,
          }),
        );
        if (o.json) return void output.out(json(documentStats));
        const columns = o.by.flatMap((name) => DIMENSIONS[name].columns);
        output.out(
          table(
            [...columns.map(([title]) => title), 'COUNT'],
            documentStats.groups.map((g) => [
              ...columns.map(([, key]) => (g as Record<string, string | number | null>)[key]),
              g.count,
            ]),
          ),
        );
        output.out(
          `${documentStats.total} document(s) in ${documentStats.groups.length} group(s)${documentStats.truncated ? ' (more groups were left out: narrow the filter)' : ''}\n`,
        );
      }, output),
    );
}
