/**
 * `reyestr tasks plan`: a whole search planned into windows ([README: Planning a whole search]); `--dry-run`
 * prints the windows the gate would create, checked by the same rules (client/rules) the gate applies.
 */
import type { Command } from 'commander';
import { graphql } from '../gate/generated/index.ts';
import {
  InvalidPlanError,
  InvalidSearchParamsError,
  MAX_CHUNK_SIZE,
  normalisePlanRequest,
  rootTasks,
  WINDOW_UNITS,
} from '../rules/index.ts';
import {
  CliError,
  EXIT,
  action,
  gateCommand,
  int,
  json,
  list,
  paramOptions,
  params,
  searchParamsOf,
  table,
  withGate,
  type GateOptions,
  type Output,
} from './support.ts';

const CreatePlanDocument = graphql(`
  mutation OperatorCreatePlan($input: CreatePlanInput!) {
    createPlan(input: $input) {
      created windows
      plan { id from to window chunkSize pageBudget splitFields priority searchParams }
      tasks { id }
    }
  }
`);

interface PlanOptionsCli extends GateOptions {
  param?: Record<string, string | string[]>;
  paramsJson?: string;
  from: string;
  to: string;
  window?: string;
  chunk?: number;
  pageBudget?: number;
  splitField?: string[];
  priority?: number;
  dryRun?: boolean;
}

/** What `tasks plan` would submit, checked by the same rules the gate applies. */
function planInput(o: PlanOptionsCli) {
  const input = {
    searchParams: searchParamsOf(o),
    from: o.from,
    to: o.to,
    window: o.window ?? null,
    chunkSize: o.chunk ?? null,
    pageBudget: o.pageBudget ?? null,
    splitFields: o.splitField?.length ? o.splitField : null,
    priority: o.priority ?? 0,
  };
  try {
    return { input, request: normalisePlanRequest(input) };
  } catch (error) {
    if (error instanceof InvalidPlanError || error instanceof InvalidSearchParamsError)
      throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
}

export function registerTaskPlanCommand(tasks: Command, output: Output): void {
  paramOptions(
    gateCommand(
      tasks,
      'plan',
      'plan a whole search: workers split it into download tasks without gaps or overlaps',
      'reyestr tasks plan -p CourtRegion=11 -p INSType=1 --from 01.01.2024 --to 31.12.2024 --window month --chunk 100',
    ),
  )
    .requiredOption('--from <date>', 'first adopted-on date (DD.MM.YYYY or YYYY-MM-DD)')
    .requiredOption('--to <date>', 'last adopted-on date, inclusive')
    .option('--window <unit>', `one plan task per ${WINDOW_UNITS.join('|')} (default: one for the whole range)`)
    .option(
      '--chunk <n>',
      'documents per download task, a multiple of the rows per page (default 100)',
      int('--chunk', 1, MAX_CHUNK_SIZE),
    )
    .option(
      '--page-budget <n>',
      'split windows with more result pages than this (default: only over the 100,000 cap)',
      int('--page-budget', 1),
    )
    .option('--split-field <field>', 'fields a day over the cap is split by, in order (default VRType,CSType)', list)
    .option('--priority <n>', '-1000..1000 for all of its tasks', int('--priority', -1000, 1000))
    .option('--dry-run', 'print the windows and the request; submit nothing')
    .action(
      action(async (o: PlanOptionsCli) => {
        const { input, request } = planInput(o);
        if (o.dryRun) {
          const windows = rootTasks(request).map((t) => ({
            from: t.window.from,
            to: t.window.to,
            searchParams: t.searchParams,
            dedupKey: t.dedupKey,
          }));
          if (o.json) output.out(json({ input, options: request.options, windows }));
          else {
            output.out(
              `dry run: would create a plan of ${windows.length} window(s), ${request.from}..${request.to}, chunks of ${request.options.chunkSize}, ` +
                `split days by ${request.options.splitFields.join(',') || 'nothing'}${request.options.pageBudget ? `, page budget ${request.options.pageBudget}` : ''}\n`,
            );
            output.out(
              table(
                ['FROM', 'TO', 'PARAMS'],
                windows.map((w) => [w.from, w.to, params(request.searchParams)]),
              ),
            );
          }
          return;
        }
        const { createPlan } = await withGate(o, (gate) => gate.request(CreatePlanDocument, { input }));
        if (o.json) output.out(json(createPlan));
        else {
          const { plan } = createPlan;
          output.out(
            `${createPlan.created ? 'created' : 'found existing'} plan ${plan.id}: ${createPlan.windows} window(s) ${plan.from}..${plan.to}, ` +
              `${createPlan.tasks.length} new plan task(s)\nfollow it with: reyestr coverage --plan ${plan.id}\n`,
          );
        }
      }, output),
    );
}
