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
      expected planned downloaded gaps windowsPlanning tasksPending tasksRunning tasksCompleted tasksFailed complete
      windows {
        from to narrowedBy planTaskId state expected planned downloaded chunks chunksMissing
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
  `expected ${c.expected}, planned ${c.planned}, downloaded ${c.downloaded}; ${c.windows.length} window(s), ${c.windowsPlanning} not planned yet, ${c.gaps} gap(s); ` +
  `tasks ${c.tasksPending} pending, ${c.tasksRunning} running, ${c.tasksCompleted} completed, ${c.tasksFailed} failed\n`;

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
                output.out(
                  `\n${table(
                    [
                      'FROM',
                      'TO',
                      'NARROWED BY',
                      'STATE',
                      'EXPECTED',
                      'PLANNED',
                      'DOWNLOADED',
                      'CHUNKS',
                      'PENDING',
                      'RUNNING',
                      'DONE',
                      'FAILED',
                      'PLAN TASK',
                    ],
                    shown.map((w) => [
                      w.from,
                      w.to,
                      Object.keys(w.narrowedBy as object).length ? params(w.narrowedBy) : null,
                      w.state,
                      w.expected,
                      w.planned,
                      w.downloaded,
                      w.chunksMissing ? `${w.chunks} (${w.chunksMissing} missing)` : w.chunks,
                      w.tasksPending,
                      w.tasksRunning,
                      w.tasksCompleted,
                      w.tasksFailed,
                      w.planTaskId,
                    ]),
                  )}`,
                );
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
