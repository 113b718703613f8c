/**
 * `reyestr follow create|list|get|pause|resume|run|delete`: searches the gate keeps current on a schedule
 * (new days planned, recent days re-counted, short windows repaired). `--json` everywhere; ids may be given by
 * their first characters (4 or more), as elsewhere in the CLI.
 */
import type { Command } from 'commander';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { graphql } from '../gate/generated/index.ts';
import {
  action,
  commandGroup,
  gateCommand,
  int,
  json,
  list,
  paramOptions,
  params,
  searchParamsOf,
  stdio,
  table,
  withGate,
  type GateOptions,
  type Output,
} from './support.ts';
import { resolveId } from './ids.ts';

const FollowFields = graphql(`
  fragment OperatorFollow on Follow {
    id searchParams startDate schedule recountDays window chunkSize priority paused coveredTo runs lastRunAt nextRunAt createdAt
  }
`);
const RunFields = graphql(`
  fragment OperatorFollowRun on FollowRun { id followId round trigger summary result finishedAt createdAt }
`);
const CreateFollowDocument = graphql(`
  mutation OperatorCreateFollow($input: CreateFollowInput!) { createFollow(input: $input) { ...OperatorFollow } }
`);
const FollowsDocument = graphql(`
  query OperatorFollows($first: Int) { follows(first: $first) { ...OperatorFollow } }
`);
const FollowDocument = graphql(`
  query OperatorFollow($id: ID!, $last: Int) {
    follow(id: $id) {
      ...OperatorFollow
      windows { from to state round expected downloaded missing repairs reason }
      runLog(last: $last) { ...OperatorFollowRun }
    }
  }
`);
const PauseFollowDocument = graphql(`
  mutation OperatorPauseFollow($id: ID!) { pauseFollow(id: $id) { ...OperatorFollow } }
`);
const ResumeFollowDocument = graphql(`
  mutation OperatorResumeFollow($id: ID!) { resumeFollow(id: $id) { ...OperatorFollow } }
`);
const DeleteFollowDocument = graphql(`
  mutation OperatorDeleteFollow($id: ID!) { deleteFollow(id: $id) { ...OperatorFollow } }
`);
const RunFollowDocument = graphql(`
  mutation OperatorRunFollow($id: ID!) { runFollow(id: $id) { ...OperatorFollowRun } }
`);

type FollowRow = ResultOf<typeof FollowFields>;
export type FollowRunRow = ResultOf<typeof RunFields>;

const followLine = (f: FollowRow) =>
  `follow ${f.id} ${params(f.searchParams)} from ${f.startDate}, every ${f.schedule}${f.paused ? ' (PAUSED)' : ''}; ` +
  `${f.runs} run(s), covered to ${f.coveredTo ?? '—'}, next ${f.paused ? '—' : f.nextRunAt}\n`;

/** A run's summary on one line: what it planned, and what its tasks came to so far. */
export function runLine(r: FollowRunRow): string {
  const s = r.summary as Record<string, number>;
  const res = r.result as Record<string, number>;
  const settled = res.windowsSettled
    ? `; settled ${res.windowsSettled} window(s): ${res.newDocuments} new decision(s), ${res.registryRequests} registry request(s), ${res.gaps} gap(s), ${res.repairs} repair(s)${r.finishedAt ? '' : ' (still running)'}`
    : r.finishedAt
      ? ''
      : '; tasks running';
  return (
    `run ${r.round} (${r.trigger.toLowerCase()}, ${r.createdAt}): ${s.windowsNew} new window(s), ${s.windowsRecounted} re-counted, ` +
    `${s.windowsRepaired} repaired, ${s.windowsInFlight} in flight${settled}\n`
  );
}

interface CreateOptions extends GateOptions {
  param?: Record<string, string | string[]>;
  paramsJson?: string;
  from: string;
  every: string;
  recountDays?: number;
  window?: string;
  chunk?: number;
  pageBudget?: number;
  splitField?: string[];
  priority?: number;
}

export function registerFollowCommands(program: Command, output: Output = stdio): Command {
  const follow = commandGroup(program, 'follow', 'keep a search current: new days, late registrations, gap repair');

  paramOptions(
    gateCommand(
      follow,
      'create',
      'follow a search from a date on a schedule (the first run is due at once)',
      'reyestr follow create -p CourtRegion=11 --from 01.01.2020 --every 6h   (or --every "0 3 * * *")',
    ),
  )
    .requiredOption('--from <date>', 'first adopted-on date followed (DD.MM.YYYY or YYYY-MM-DD)')
    .requiredOption('--every <schedule>', 'an interval (30m, 6h, 1d) or a five-field cron expression (UTC)')
    .option('--recount-days <n>', 'days before today every run re-counts (default 30)', int('--recount-days', 0, 366))
    .option('--window <unit>', "the first run's backfill windows: day|week|month|year (default month)")
    .option('--chunk <n>', 'documents per download task (default 100)', int('--chunk', 1, 1000))
    .option('--page-budget <n>', 'split windows with more result pages than this', int('--page-budget', 1))
    .option('--split-field <field>', 'fields a day over the cap is split by (default VRType,CSType)', list)
    .option('--priority <n>', '-1000..1000 for its tasks', int('--priority', -1000, 1000))
    .action(
      action(async (o: CreateOptions) => {
        const input = {
          searchParams: searchParamsOf(o),
          startDate: o.from,
          schedule: o.every,
          recountDays: o.recountDays ?? null,
          window: o.window ?? null,
          chunkSize: o.chunk ?? null,
          pageBudget: o.pageBudget ?? null,
          splitFields: o.splitField?.length ? o.splitField : null,
          priority: o.priority ?? null,
        };
        const { createFollow } = await withGate(o, (gate) => gate.request(CreateFollowDocument, { input }));
        output.out(o.json ? json(createFollow) : `created ${followLine(createFollow as FollowRow)}`);
      }, output),
    );

  gateCommand(follow, 'list', 'follows, newest first', 'reyestr follow list --json')
    .option('--limit <n>', 'this many (default 100)', int('--limit', 1, 1000), 100)
    .action(
      action(async (o: GateOptions & { limit: number }) => {
        const { follows } = await withGate(o, (gate) => gate.request(FollowsDocument, { first: o.limit }));
        const rows = follows as FollowRow[];
        if (o.json) return void output.out(json(rows));
        if (rows.length === 0) return void output.out('no follows yet (reyestr follow create --help)\n');
        output.out(
          table(
            ['ID', 'PARAMS', 'FROM', 'SCHEDULE', 'PAUSED', 'RUNS', 'COVERED TO', 'NEXT RUN'],
            rows.map((f) => [
              f.id,
              params(f.searchParams),
              f.startDate,
              f.schedule,
              f.paused ? 'yes' : 'no',
              f.runs,
              f.coveredTo,
              f.nextRunAt,
            ]),
          ),
        );
      }, output),
    );

  gateCommand(follow, 'get', 'one follow with its latest runs', 'reyestr follow get 5d1e…')
    .argument('<id>')
    .option('--runs <n>', 'this many latest runs (default 10)', int('--runs', 1, 1000), 10)
    .action(
      action(async (id: string, o: GateOptions & { runs: number }) => {
        const { follow: f } = await withGate(o, async (gate) =>
          gate.request(FollowDocument, { id: await resolveId(gate, 'FOLLOW', id), last: o.runs }),
        );
        if (o.json) return void output.out(json(f));
        output.out(followLine(f as unknown as FollowRow));
        for (const run of f.runLog as FollowRunRow[]) output.out(`  ${runLine(run)}`);
      }, output),
    );

  const simple = (
    name: 'pause' | 'resume' | 'delete',
    description: string,
    run: (gate: Parameters<Parameters<typeof withGate>[1]>[0], id: string) => Promise<FollowRow>,
  ) =>
    gateCommand(follow, name, description, `reyestr follow ${name} 5d1e…`)
      .argument('<id>')
      .action(
        action(async (id: string, o: GateOptions) => {
          const f = await withGate(o, async (gate) => run(gate, await resolveId(gate, 'FOLLOW', id)));
          output.out(o.json ? json(f) : `${name === 'delete' ? 'deleted' : `${name}d`} ${followLine(f)}`);
        }, output),
      );
  simple(
    'pause',
    'stop running a follow on its schedule; its tasks are not claimed until resume',
    async (g, id) => (await g.request(PauseFollowDocument, { id })).pauseFollow as FollowRow,
  );
  simple(
    'resume',
    'run it on its schedule again (once now if its time passed)',
    async (g, id) => (await g.request(ResumeFollowDocument, { id })).resumeFollow as FollowRow,
  );
  simple(
    'delete',
    'delete a follow, its calendar and runs (planned tasks stay)',
    async (g, id) => (await g.request(DeleteFollowDocument, { id })).deleteFollow as FollowRow,
  );

  gateCommand(follow, 'run', 'run a follow now (its schedule goes on from now)', 'reyestr follow run 5d1e…')
    .argument('<id>')
    .action(
      action(async (id: string, o: GateOptions) => {
        const { runFollow } = await withGate(o, async (gate) =>
          gate.request(RunFollowDocument, { id: await resolveId(gate, 'FOLLOW', id) }),
        );
        output.out(o.json ? json(runFollow) : runLine(runFollow as FollowRunRow));
      }, output),
    );
  return follow;
}
