/**
 * `reyestr tasks cancel|retry|priority`: by ids (each answers on its own line), or every task matching a filter
 * (`--status dead --class network`, `--plan P`, …) in one `bulkTasks` request that the gate runs in batches.
 * A filter run previews first: it prints how many tasks the action would change and changes nothing unless
 * `--yes` is given; `--limit N` refuses (changes nothing) when more match.
 */
import type { Command } from 'commander';
import type { GateClient } from '../gate/client.ts';
import { graphql } from '../gate/generated/index.ts';
import type { BulkTaskAction, TaskFilter } from '../gate/generated/graphql.ts';
import { resolveId, resolveOptionalId } from './ids.ts';
import {
  CliError,
  EXIT,
  action,
  collectParam,
  errorLine,
  exitCodeFor,
  gateCommand,
  int,
  json,
  list,
  withGate,
  type GateOptions,
  type Output,
} from './support.ts';
import { errorClassList, kindOf, pastTimeOption, statusList } from './task-filters.ts';

const CancelTaskDocument = graphql(`
  mutation OperatorCancelTask($id: ID!) { cancelTask(input: { id: $id }) { id status } }
`);
const RetryTaskDocument = graphql(`
  mutation OperatorRetryTask($id: ID!) { retryTask(input: { id: $id }) { id status } }
`);
const SetPriorityDocument = graphql(`
  mutation OperatorSetTaskPriority($id: ID!, $priority: Int!) { setTaskPriority(input: { id: $id, priority: $priority }) { id status priority } }
`);
const BulkPreviewDocument = graphql(`
  query OperatorBulkTasksPreview($input: BulkTasksInput!) { bulkTasksPreview(input: $input) { action matched changed applied limit } }
`);
const BulkDocument = graphql(`
  mutation OperatorBulkTasks($input: BulkTasksInput!) { bulkTasks(input: $input) { action matched changed applied limit } }
`);

interface FilterOptions extends GateOptions {
  status?: string[];
  class?: string[];
  kind?: string;
  plan?: string;
  follow?: string;
  client?: string;
  parent?: string;
  param?: Record<string, unknown>;
  createdAfter?: string;
  createdBefore?: string;
  yes?: boolean;
  limit?: number;
}

const filterOptions = (command: Command) =>
  command
    .option('--status <list>', 'tasks in these statuses (comma-separated)', list)
    .option('--class <list>', 'tasks whose last error is of these classes, e.g. network,rate_limited', list)
    .option('--kind <kind>', 'download or plan')
    .option('--plan <id>', "the plan's tasks (id or its first characters)")
    .option('--follow <id>', "the follow's tasks")
    .option('--client <id>', 'tasks leased (now or last) to this worker')
    .option('--parent <id>', 'children of this plan task')
    .option('-p, --param <Name=value>', 'tasks whose search params include this', collectParam)
    .option(
      '--created-after <time>',
      'created at or after: ISO date-time or <n>m|h|d ago',
      pastTimeOption('--created-after'),
    )
    .option(
      '--created-before <time>',
      'created before: ISO date-time or <n>m|h|d ago',
      pastTimeOption('--created-before'),
    )
    .option(
      '--limit <n>',
      'change nothing when more tasks than this match (default and most 100000)',
      int('--limit', 1, 100_000),
    )
    .option('--yes', 'do it: without --yes a filter only prints how many tasks would change');

const hasFilter = (o: FilterOptions) =>
  [o.status, o.class, o.kind, o.plan, o.follow, o.client, o.parent, o.param, o.createdAfter, o.createdBefore].some(
    (v) => v !== undefined,
  );

async function filterOf(gate: GateClient, o: FilterOptions): Promise<TaskFilter> {
  return {
    status: statusList(o.status),
    errorClass: errorClassList(o.class),
    kind: kindOf(o.kind),
    planId: await resolveOptionalId(gate, 'PLAN', o.plan),
    followId: o.follow,
    clientId: await resolveOptionalId(gate, 'CLIENT', o.client),
    parentId: await resolveOptionalId(gate, 'TASK', o.parent),
    searchParams: o.param,
    createdAfter: o.createdAfter,
    createdBefore: o.createdBefore,
  };
}

interface Change {
  name: string;
  description: string;
  action: BulkTaskAction;
  past: string;
  one: (gate: GateClient, id: string, priority: number | undefined) => Promise<string>;
}

const CHANGES: Change[] = [
  {
    name: 'cancel',
    description: 'cancel pending or running tasks',
    action: 'CANCEL',
    past: 'cancelled',
    one: async (gate, id) => (await gate.request(CancelTaskDocument, { id })).cancelTask.status,
  },
  {
    name: 'retry',
    description: 'put dead, failed or cancelled tasks back in the queue with fresh attempts',
    action: 'RETRY',
    past: 'retried',
    one: async (gate, id) => (await gate.request(RetryTaskDocument, { id })).retryTask.status,
  },
  {
    name: 'priority',
    description: 'change the priority of tasks (a filter: only unfinished ones)',
    action: 'SET_PRIORITY',
    past: 'reprioritised',
    one: async (gate, id, priority) =>
      `priority ${(await gate.request(SetPriorityDocument, { id, priority: priority! })).setTaskPriority.priority}`,
  },
];

async function byIds(change: Change, inputs: string[], o: FilterOptions & { to?: number }, output: Output) {
  const results = await withGate(o, async (gate) => {
    const answers = [];
    for (const input of inputs) {
      let id = input;
      try {
        id = await resolveId(gate, 'TASK', input);
        answers.push({ id, status: await change.one(gate, id, o.to), error: null, exitCode: 0 });
      } catch (error) {
        answers.push({ id, status: null, error: errorLine(error), exitCode: exitCodeFor(error) });
      }
    }
    return answers;
  });
  if (o.json) output.out(json(results.map(({ exitCode: _, ...r }) => r)));
  else
    for (const r of results)
      (r.error ? output.err : output.out)(r.error ? `reyestr: ${r.id}: ${r.error}\n` : `${r.id} ${r.status}\n`);
  const worst = Math.max(0, ...results.map((r) => r.exitCode));
  if (worst) process.exitCode = worst;
}

async function byFilter(change: Change, o: FilterOptions & { to?: number }, output: Output) {
  const result = await withGate(o, async (gate) => {
    const input = { action: change.action, filter: await filterOf(gate, o), priority: o.to, limit: o.limit };
    return o.yes
      ? (await gate.request(BulkDocument, { input })).bulkTasks
      : (await gate.request(BulkPreviewDocument, { input })).bulkTasksPreview;
  });
  if (o.json) return void output.out(json(result));
  if (!result.applied) {
    output.out(`${result.matched} task(s) match; ${change.name} would change them. Run again with --yes to do it.\n`);
    if (result.matched > result.limit) output.out(`(more than the limit of ${result.limit}: narrow the filter)\n`);
    return;
  }
  output.out(`${change.past} ${result.changed} of ${result.matched} matching task(s)\n`);
}

export function registerTaskChangeCommands(tasks: Command, output: Output): void {
  for (const change of CHANGES) {
    const isPriority = change.action === 'SET_PRIORITY';
    const command = gateCommand(
      tasks,
      change.name,
      `${change.description}: by ids, or every task matching a filter (previewed; --yes to do it)`,
      isPriority
        ? 'reyestr tasks priority --to 50 --plan 3f2a9c1e --yes'
        : `reyestr tasks ${change.name} --status dead --class network --yes`,
    ).argument('[ids...]', 'task ids, or their first characters (4 or more); or use filter options instead');
    if (isPriority)
      command.requiredOption('--to <n>', 'the new priority, -1000..1000 (higher runs first)', int('--to', -1000, 1000));
    filterOptions(command).action(
      action(async (ids: string[], o: FilterOptions & { to?: number }) => {
        if (ids.length && hasFilter(o)) throw new CliError('give task ids or filter options, not both', EXIT.USAGE);
        if (ids.length) return byIds(change, ids, o, output);
        if (!hasFilter(o))
          throw new CliError(
            `give task ids, or a filter (--status, --class, --plan, --follow, --client, …) for every matching task`,
            EXIT.USAGE,
          );
        return byFilter(change, o, output);
      }, output),
    );
  }
}
