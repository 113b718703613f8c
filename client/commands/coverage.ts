/**
 * `reyestr coverage [--plan <id>]`: how complete planned searches are — per window the registry's expected
 * count, documents planned and downloaded, task states, gaps. Without --plan: one line per plan.
 * `reyestr coverage --follow <id>`: a follow's calendar (follow-coverage.ts).
 */
import type { Command } from 'commander';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { graphql } from '../gate/generated/index.ts';
import {
  action,
  gateCommand,
  int,
  json,
  params,
  shortId,
  stdio,
  table,
  withGate,
  usageExits,
  type GateOptions,
  type Output,
} from './support.ts';
import { showFollowCoverage } from './follow-coverage.ts';
import { resolveId } from './ids.ts';

const CoverageDocument = graphql(`
  query OperatorCoverage($planId: ID!) {
    coverage(planId: $planId) {
      plan { id from to window chunkSize searchParams }
      expected planned downloaded skipped missing gaps windowsPlanning tasksPending tasksRunning tasksCompleted tasksFailed complete
      windows {
        from to narrowedBy planTaskId state expected planned downloaded skipped missing chunks chunksMissing
        tasksPending tasksRunning tasksCompleted tasksFailed tasksCancelled complete
      }
    }
  }
`);
const PlansDocument = graphql(`
  query OperatorPlans($first: Int) { plans(first: $first) { id from to window searchParams createdAt } }
`);

interface CoverageOptions extends GateOptions {
  plan?: string;
  all?: boolean;
  limit: number;
  follow?: string;
  from?: string;
  to?: string;
  runs: number;
}

type Coverage = ResultOf<typeof CoverageDocument>['coverage'];

const summary = (c: Coverage) =>
  `plan ${c.plan.id} ${c.plan.from}..${c.plan.to} ${params(c.plan.searchParams)}: ${c.complete ? 'COMPLETE' : 'incomplete'}; ` +
  `expected ${c.expected}, planned ${c.planned}, downloaded ${c.downloaded}\n` +
  `  skipped ${c.skipped} (another task had them), missing ${c.missing}; ${c.windows.length} window(s), ` +
  `${c.windowsPlanning} not planned yet, ${c.gaps} gap(s)\n` +
  `  tasks ${c.tasksPending} pending, ${c.tasksRunning} running, ${c.tasksCompleted} completed, ${c.tasksFailed} failed\n`;

type CoverageWindow = Coverage['windows'][number];

/** `2024-03-01`, `2024-03-01..03-31` (same year) or `2023-12-30..2024-01-02`, then what narrows it. */
function windowText(w: CoverageWindow): string {
  const to = w.to === w.from ? '' : `..${w.to.slice(0, 4) === w.from.slice(0, 4) ? w.to.slice(5) : w.to}`;
  const narrowed = Object.entries(w.narrowedBy as Record<string, unknown>)
    .map(([name, value]) => `${name}=${[value].flat().join(',')}`)
    .join(' ');
  return `${w.from}${to}${narrowed ? ` ${narrowed}` : ''}`;
}

/** One line a window, in 80 columns: counts of documents, then of its download tasks. */
const windowTable = (windows: CoverageWindow[]) =>
  table(
    ['WINDOW', 'STATE', 'EXP', 'DOWN', 'SKIP', 'MISS', 'P/R/D/F', 'TASK'],
    windows.map((w) => [
      windowText(w),
      w.state,
      w.expected,
      w.downloaded,
      w.skipped,
      w.missing,
      `${w.tasksPending}/${w.tasksRunning}/${w.tasksCompleted}/${w.tasksFailed + w.tasksCancelled}` +
        (w.chunksMissing ? ` (${w.chunksMissing} lost)` : ''),
      shortId(w.planTaskId),
    ]),
  ) +
  "EXP: registry's count  DOWN: stored by its tasks  SKIP: stored by another task\n" +
  'MISS: planned, neither yet  P/R/D/F: download tasks pending/running/done/failed\n';

export function registerCoverageCommand(program: Command, output: Output = stdio): Command {
  return usageExits(
    gateCommand(
      program,
      'coverage',
      'prove a planned range complete, or see exactly what is missing',
      'reyestr coverage --plan 5d1e0c2a  (or: reyestr coverage --follow <id>, reyestr coverage --json)',
    )
      .option('--plan <id>', 'one plan (id or its first characters), window by window (default: every plan)')
      .option('--all', 'with --plan: list complete windows too (default: only the incomplete ones)')
      .option('--limit <n>', 'without --plan: this many newest plans (default 20)', int('--limit', 1, 1000), 20)
      .option('--follow <id>', "one follow's calendar: a line a month, a character a day, gaps and latest runs")
      .option('--from <date>', 'with --follow: first day shown (YYYY-MM-DD; default its start date)')
      .option('--to <date>', 'with --follow: last day shown (YYYY-MM-DD; default the last day planned)')
      .option('--runs <n>', 'with --follow: this many latest runs (default 10)', int('--runs', 1, 1000), 10)
      .action(
        action(async (o: CoverageOptions) => {
          await withGate(o, async (gate) => {
            if (o.follow) return showFollowCoverage(gate, { ...o, follow: o.follow }, output);
            if (o.plan) {
              const planId = await resolveId(gate, 'PLAN', o.plan);
              const { coverage } = await gate.request(CoverageDocument, { planId });
              if (o.json) return void output.out(json(coverage));
              output.out(summary(coverage));
              const shown = o.all ? coverage.windows : coverage.windows.filter((w) => !w.complete);
              if (shown.length) {
                output.out(`\n${windowTable(shown)}`);
              }
              return;
            }
            const { plans } = await gate.request(PlansDocument, { first: o.limit });
            const all = [];
            for (const plan of plans) all.push((await gate.request(CoverageDocument, { planId: plan.id })).coverage);
            if (o.json) return void output.out(json(all.map(({ windows: _, ...c }) => c)));
            if (all.length === 0) output.out('no plans yet (reyestr tasks plan --help)\n');
            for (const c of all) output.out(summary(c));
          });
        }, output),
      ),
  );
}
