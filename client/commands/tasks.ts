/**
 * `reyestr tasks …`: create, list, get and watch tasks on the gate; `tasks plan` is in tasks-plan.ts, cancel/retry/priority
 * (by ids or by filter) in tasks-bulk.ts.
 */
import type { Command } from 'commander';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { graphql } from '../gate/generated/index.ts';
import { DEFAULT_DOCUMENTS_PER_TASK, MAX_DOCUMENTS_PER_TASK } from '../rules/index.ts';
import {
  CliError,
  EXIT,
  action,
  collectParam,
  commandGroup,
  fields,
  gateCommand,
  int,
  json,
  list,
  paramOptions,
  params,
  searchParamsOf,
  stdio,
  table,
  timeOption,
  withGate,
  type GateOptions,
  type Output,
} from './support.ts';
import { resolveId, resolveOptionalId } from './ids.ts';
import { kindOf, statusList } from './task-filters.ts';
import { registerTaskChangeCommands } from './tasks-bulk.ts';
import { registerTaskPlanCommand } from './tasks-plan.ts';
import { type PageOptions, pageOptions, pages, printPages } from './paging.ts';

graphql(`
  fragment OperatorTask on Task {
    id kind status priority searchParams startPage maxDocuments attempts maxAttempts stalls
    documentsDownloaded documentsFailed documentsSkipped totalExpected
    lastError lastErrorClass runAt createdAt startedAt completedAt updatedAt
    leaseHolder { id name }
    parent { id }
  }
`);

const CreateTaskDocument = graphql(`
  mutation OperatorCreateTask($input: NewTaskInput!) { createTask(input: $input) { ...OperatorTask } }
`);
const TasksDocument = graphql(`
  query OperatorTasks($filter: TaskFilter, $first: Int, $after: String) {
    tasks(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { ...OperatorTask } }
    }
  }
`);
const TaskDocument = graphql(`
  query OperatorTaskGet($id: ID!) {
    task(id: $id) { ...OperatorTask resultSummary planOptions workerLog events(last: 20) { seq type status createdAt data client { name } } }
  }
`);

export type OperatorTaskRow = NonNullable<ResultOf<typeof TaskDocument>['task']>;

/** `downloaded/target`, where the target is what the search said or the task's limit. */
export const progressOf = (t: { documentsDownloaded: number; totalExpected?: number | null; maxDocuments: number }) =>
  `${t.documentsDownloaded}/${t.totalExpected ?? t.maxDocuments}`;

type TaskRow = ResultOf<typeof TasksDocument>['tasks']['edges'][number]['node'];

const TASK_COLUMNS = ['ID', 'KIND', 'STATUS', 'PRIO', 'PROGRESS', 'WORKER', 'CREATED', 'PARAMS'];
const taskCells = (t: TaskRow) => [
  t.id,
  t.kind,
  t.status,
  t.priority,
  progressOf(t),
  t.leaseHolder?.name,
  t.createdAt.slice(0, 19),
  params(t.searchParams),
];

export function registerTaskCommands(program: Command, output: Output = stdio): Command {
  const tasks = commandGroup(program, 'tasks', 'create, plan, list, watch and steer download tasks on the gate');

  paramOptions(
    gateCommand(
      tasks,
      'create',
      'create one download task',
      'reyestr tasks create -p CourtRegion=11 -p INSType=1 -p RegDateBegin=01.01.2024 --max-documents 500',
    ),
  )
    .option('--start-page <n>', 'first results page (default 1)', int('--start-page', 1, 100_000))
    .option(
      '--max-documents <n>',
      `documents to download, 1..${MAX_DOCUMENTS_PER_TASK} (default ${DEFAULT_DOCUMENTS_PER_TASK})`,
      int('--max-documents', 1, MAX_DOCUMENTS_PER_TASK),
    )
    .option('--priority <n>', '-1000..1000, higher runs first (default 0)', int('--priority', -1000, 1000))
    .option('--run-at <time>', 'not before this time: ISO date-time or +<n>s|m|h', timeOption('--run-at'))
    .option('--max-attempts <n>', 'failed attempts before DEAD', int('--max-attempts', 1, 100))
    .action(
      action(
        async (
          o: GateOptions & {
            param?: Record<string, string | string[]>;
            paramsJson?: string;
            startPage?: number;
            maxDocuments?: number;
            priority?: number;
            runAt?: string;
            maxAttempts?: number;
          },
        ) => {
          const input = {
            searchParams: searchParamsOf(o),
            startPage: o.startPage,
            maxDocuments: o.maxDocuments,
            priority: o.priority,
            runAt: o.runAt,
            maxAttempts: o.maxAttempts,
          };
          const { createTask } = await withGate(o, (gate) => gate.request(CreateTaskDocument, { input }));
          output.out(
            o.json
              ? json(createTask)
              : `created task ${createTask.id} (${createTask.status}, priority ${createTask.priority})\n`,
          );
        },
        output,
      ),
    );

  registerTaskPlanCommand(tasks, output);

  pageOptions(
    gateCommand(
      tasks,
      'list',
      'list tasks, newest first',
      'reyestr tasks list --status pending,running --kind download --limit 20',
    )
      .option('--status <list>', 'comma-separated statuses', list)
      .option('--kind <kind>', 'download or plan')
      .option('--client <id>', 'tasks leased (now or last) to this worker (id or its first characters)')
      .option('--parent <id>', 'children of this plan task (id or its first characters)')
      .option('-p, --param <Name=value>', 'tasks whose search params include this', collectParam),
    'task',
  ).action(
    action(
      async (
        o: GateOptions &
          PageOptions & {
            status?: string[];
            kind?: string;
            client?: string;
            parent?: string;
            param?: Record<string, unknown>;
          },
      ) => {
        const status = statusList(o.status);
        const kind = kindOf(o.kind);
        await withGate(o, async (gate) => {
          const filter = {
            status,
            kind,
            clientId: await resolveOptionalId(gate, 'CLIENT', o.client),
            parentId: await resolveOptionalId(gate, 'TASK', o.parent),
            searchParams: o.param,
          };
          await printPages(
            pages(async (first, after) => {
              const { tasks: found } = await gate.request(TasksDocument, { filter, first, after });
              return { ...found.pageInfo, totalCount: found.totalCount, nodes: found.edges.map((e) => e.node) };
            }, o),
            { output, json: o.json, noun: 'task', key: 'tasks', header: TASK_COLUMNS, row: taskCells },
          );
        });
      },
      output,
    ),
  );

  gateCommand(tasks, 'get', 'show one task with its latest events', 'reyestr tasks get 3f2a9c1e')
    .argument('<id>', 'task id, or its first characters (4 or more)')
    .action(
      action(async (input: string, o: GateOptions) => {
        const { id, task } = await withGate(o, async (gate) => {
          const id = await resolveId(gate, 'TASK', input);
          return { id, ...(await gate.request(TaskDocument, { id })) };
        });
        if (!task) throw new CliError(`task ${id} not found`, EXIT.NOT_FOUND);
        if (o.json) return void output.out(json(task));
        output.out(
          fields([
            ['id', task.id],
            ['kind', task.kind],
            ['status', task.status],
            ['priority', task.priority],
            ['search', task.searchParams],
            ['pages', `from ${task.startPage}, up to ${task.maxDocuments} documents`],
            ['progress', progressOf(task)],
            ['failed/skipped', `${task.documentsFailed}/${task.documentsSkipped}`],
            ['attempts', `${task.attempts} of ${task.maxAttempts}`],
            ['stalls', task.stalls > 0 ? `${task.stalls} (lease expired)` : null],
            ['worker', task.leaseHolder?.name],
            ['last error', task.lastError ? `${task.lastErrorClass}: ${task.lastError}` : null],
            ['parent', task.parent?.id],
            ['plan options', task.planOptions],
            ['result', task.resultSummary],
            ['created', task.createdAt],
            ['started', task.startedAt],
            ['completed', task.completedAt],
          ]),
        );
        output.out(
          `\n${table(
            ['SEQ', 'TIME', 'EVENT', 'STATUS', 'WORKER', 'DATA'],
            task.events.map((e) => [
              e.seq,
              e.createdAt.slice(0, 19),
              e.type,
              e.status,
              e.client?.name,
              e.data ? JSON.stringify(e.data) : null,
            ]),
          )}`,
        );
        if (task.workerLog.length)
          output.out(`\nworker log (this lease, oldest first):\n${task.workerLog.map((l) => `  ${l}\n`).join('')}`);
      }, output),
    );

  gateCommand(
    tasks,
    'watch',
    'follow tasks live: status, worker, progress, rate, ETA (Ctrl-C to stop); lines when not on a terminal',
    'reyestr tasks watch --status pending,running',
  )
    .option('--status <list>', 'only events that leave a task in these statuses', list)
    .option('--kind <kind>', 'download or plan')
    .option('--client <id>', "only this worker's events")
    .option('--task <id>', 'only this task')
    .option('--limit <n>', 'rows of the live table (default 30)', int('--limit', 1, 500), 30)
    .option('--lines', 'print one line per event even on a terminal')
    .option('--count <n>', 'stop after this many events', int('--count', 1))
    .option(
      '--replay <n>',
      'start with the last N events of the log (0: from now on only)',
      int('--replay', 0, 1000),
      100,
    )
    .action(
      action(
        async (
          o: GateOptions & {
            status?: string[];
            kind?: string;
            client?: string;
            task?: string;
            limit: number;
            lines?: boolean;
            count?: number;
            replay: number;
          },
        ) => {
          const status = statusList(o.status);
          const { watchTasks } = await import('./tasks-watch.ts'); // graphql-ws and ws load only for watch
          await withGate(o, async (gate) => {
            const filter = {
              status,
              clientId: await resolveOptionalId(gate, 'CLIENT', o.client),
              taskId: await resolveOptionalId(gate, 'TASK', o.task),
            };
            await watchTasks({
              gate,
              apiUrl: gate.endpoint,
              apiKey: o.apiKey,
              filter,
              kind: kindOf(o.kind),
              limit: o.limit,
              count: o.count,
              replay: o.replay,
              mode: o.json ? 'json' : o.lines || !process.stdout.isTTY ? 'lines' : 'table',
              output,
            });
          });
        },
        output,
      ),
    );

  registerTaskChangeCommands(tasks, output);
  return tasks;
}
