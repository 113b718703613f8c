/**
 * `reyestr coverage --follow <id>`: a follow's calendar in 80 columns — a month a line, a character a day
 * (# downloaded, . planned, X gap, - not planned yet), each month's expected / downloaded / missing, the gaps
 * with their reasons, and the latest runs (windows planned, new decisions, registry requests spent).
 */
import type { ResultOf } from '@graphql-typed-document-node/core';
import type { GateClient } from '../gate/client.ts';
import { graphql } from '../gate/generated/index.ts';
import { resolveId } from './ids.ts';
import { json, params, table, type Output } from './support.ts';

export const FollowCoverageDocument = graphql(`
  query OperatorFollowCoverage($id: ID!, $from: String, $to: String, $last: Int) {
    follow(id: $id) {
      id searchParams startDate schedule paused coveredTo nextRunAt
      coverage(from: $from, to: $to) {
        from to expected downloaded missing gaps
        days { date state }
        months { month expected downloaded missing daysDownloaded daysPlanned daysGap daysNotPlanned }
        gapWindows { from to expected downloaded repairs reason }
      }
      runLog(last: $last) { round trigger summary result finishedAt createdAt }
    }
  }
`);

type FollowCoverage = ResultOf<typeof FollowCoverageDocument>['follow'];

const WIDTH = 80;
const DAY_CHAR: Record<string, string> = { DOWNLOADED: '#', PLANNED: '.', GAP: 'X', NOT_PLANNED: '-' };
export const LEGEND = 'legend: # downloaded  . planned  X gap  - not planned yet';

const cut = (line: string, width = WIDTH) => (line.length <= width ? line : `${line.slice(0, width - 1)}…`);

/** Day numbers over the 31 day columns: 1, 5, 10 … 30 where their first digit sits on their day. */
function ruler(): string {
  const cells = Array<string>(31).fill(' ');
  for (const day of [1, 5, 10, 15, 20, 25, 30]) cells.splice(day - 1, String(day).length, ...String(day));
  return cells.join('');
}

const num = (n: number, width: number) => String(n).padStart(width);

/** The calendar, one line per month (fits 80 columns). */
export function calendarLines(coverage: NonNullable<FollowCoverage>['coverage']): string[] {
  const byMonth = new Map<string, string[]>();
  for (const day of coverage.days) {
    const month = day.date.slice(0, 7);
    const row = byMonth.get(month) ?? Array<string>(31).fill(' ');
    row[Number(day.date.slice(8, 10)) - 1] = DAY_CHAR[day.state] ?? '?';
    byMonth.set(month, row);
  }
  const lines = [`month    ${ruler()}  expected downloaded  missing`];
  for (const m of coverage.months) {
    const row = (byMonth.get(m.month) ?? []).join('').padEnd(31);
    lines.push(`${m.month}  ${row}  ${num(m.expected, 8)} ${num(m.downloaded, 10)} ${num(m.missing, 8)}`);
  }
  return lines;
}

const hhmm = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The whole text: header, calendar, gaps, runs. */
export function renderFollowCoverage(f: NonNullable<FollowCoverage>): string {
  const c = f.coverage;
  const lines = [
    cut(`follow ${f.id} ${params(f.searchParams)}`),
    cut(
      `from ${f.startDate}, every ${f.schedule}${f.paused ? ' (PAUSED)' : ''}; next run ${f.paused ? '-' : hhmm(f.nextRunAt)}`,
    ),
    cut(
      `${c.from}..${c.to}: expected ${c.expected}, downloaded ${c.downloaded}, missing ${c.missing}; ${c.gaps} gap(s)`,
    ),
    '',
    ...calendarLines(c),
    LEGEND,
  ];
  if (c.gapWindows.length) {
    lines.push('', 'gaps (repaired as often as allowed, still short):');
    for (const g of c.gapWindows)
      lines.push(
        cut(
          `  ${g.from}..${g.to} ${g.downloaded}/${g.expected ?? '?'} after ${g.repairs} repair(s): ${g.reason ?? ''}`,
        ),
      );
  }
  if (f.runLog.length) {
    const rows = f.runLog.map((r) => {
      const s = r.summary as Record<string, number>;
      const res = r.result as Record<string, number | undefined>;
      return [
        r.round,
        hhmm(r.createdAt),
        s.windowsNew,
        s.windowsRecounted,
        s.windowsRepaired,
        res.newDocuments ?? 0,
        res.registryRequests ?? 0,
        res.gaps ?? 0,
        r.finishedAt ? 'done' : 'running',
      ];
    });
    lines.push(
      '',
      table(['RUN', 'STARTED', 'NEW', 'RECOUNT', 'REPAIR', 'DOCS', 'REQUESTS', 'GAPS', 'STATE'], rows).trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function showFollowCoverage(
  gate: Pick<GateClient, 'request'>,
  o: { follow: string; from?: string; to?: string; runs: number; json?: boolean },
  output: Output,
): Promise<void> {
  const { follow } = await gate.request(FollowCoverageDocument, {
    id: await resolveId(gate, 'FOLLOW', o.follow),
    from: o.from ?? null,
    to: o.to ?? null,
    last: o.runs,
  });
  output.out(o.json ? json(follow) : renderFollowCoverage(follow));
}
