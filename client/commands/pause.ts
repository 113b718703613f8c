/**
 * `reyestr pause|resume queue|plan <id>|follow <id>|worker <id>`: stop claims of the whole queue, of one plan's
 * or follow's tasks, or of one worker (drain: it finishes what it holds, claims nothing new). `reyestr pause
 * status` shows what is paused. Leases already held run on; `tasks cancel` is what takes work back.
 */
import type { Command } from 'commander';
import type { GateClient } from '../gate/client.ts';
import { graphql } from '../gate/generated/index.ts';
import type { IdKind } from '../gate/generated/graphql.ts';
import { resolveId } from './ids.ts';
import {
  action,
  commandGroup,
  gateCommand,
  json,
  stdio,
  table,
  withGate,
  type GateOptions,
  type Output,
} from './support.ts';

const PausesDocument = graphql(`
  query OperatorPauses {
    pauses {
      queue { paused pausedAt }
      plans { id from to pausedAt }
      follows { id startDate schedule }
      workers { id name status pausedAt }
    }
  }
`);
const PauseQueueDocument = graphql(`mutation OperatorPauseQueue { pauseQueue { paused pausedAt } }`);
const ResumeQueueDocument = graphql(`mutation OperatorResumeQueue { resumeQueue { paused pausedAt } }`);
const PausePlanDocument = graphql(`mutation OperatorPausePlan($id: ID!) { pausePlan(id: $id) { id paused } }`);
const ResumePlanDocument = graphql(`mutation OperatorResumePlan($id: ID!) { resumePlan(id: $id) { id paused } }`);
const PauseFollowOnlyDocument = graphql(
  `mutation OperatorPauseFollowOnly($id: ID!) { pauseFollow(id: $id) { id paused } }`,
);
const ResumeFollowOnlyDocument = graphql(
  `mutation OperatorResumeFollowOnly($id: ID!) { resumeFollow(id: $id) { id paused } }`,
);
const PauseWorkerDocument = graphql(
  `mutation OperatorPauseWorker($id: ID!) { pauseWorker(id: $id) { id name paused } }`,
);
const ResumeWorkerDocument = graphql(
  `mutation OperatorResumeWorker($id: ID!) { resumeWorker(id: $id) { id name paused } }`,
);

type Switch = (gate: GateClient, id: string, paused: boolean) => Promise<{ id: string; paused: boolean }>;

/** The things that pause by id: the kind their prefixes resolve as, and the mutation pair. */
const TARGETS: Array<{ name: string; kind: IdKind | null; what: string; change: Switch }> = [
  {
    name: 'plan',
    kind: 'PLAN',
    what: "a plan's tasks (its windows and all planned from them)",
    change: async (gate, id, paused) =>
      paused
        ? (await gate.request(PausePlanDocument, { id })).pausePlan
        : (await gate.request(ResumePlanDocument, { id })).resumePlan,
  },
  {
    name: 'follow',
    kind: null,
    what: "a follow: its schedule and its tasks' claims",
    change: async (gate, id, paused) =>
      paused
        ? (await gate.request(PauseFollowOnlyDocument, { id })).pauseFollow
        : (await gate.request(ResumeFollowOnlyDocument, { id })).resumeFollow,
  },
  {
    name: 'worker',
    kind: 'CLIENT',
    what: 'a worker (drain: it finishes what it holds and claims nothing new)',
    change: async (gate, id, paused) =>
      paused
        ? (await gate.request(PauseWorkerDocument, { id })).pauseWorker
        : (await gate.request(ResumeWorkerDocument, { id })).resumeWorker,
  },
];

function registerSwitch(program: Command, paused: boolean, output: Output) {
  const verb = paused ? 'pause' : 'resume';
  const group = commandGroup(
    program,
    verb,
    paused
      ? 'stop claims: of the whole queue, a plan, a follow or a worker (drain); held leases run on'
      : 'let paused work be claimed again',
  );
  gateCommand(group, 'queue', `${verb} the whole queue`, `reyestr ${verb} queue`).action(
    action(async (o: GateOptions) => {
      const state = await withGate(o, async (gate) =>
        paused
          ? (await gate.request(PauseQueueDocument, {})).pauseQueue
          : (await gate.request(ResumeQueueDocument, {})).resumeQueue,
      );
      output.out(o.json ? json(state) : `queue ${state.paused ? 'paused' : 'running'}\n`);
    }, output),
  );
  for (const target of TARGETS) {
    gateCommand(group, target.name, `${verb} ${target.what}`, `reyestr ${verb} ${target.name} 3f2a9c1e`)
      .argument('<id>', `${target.name} id${target.kind ? ', or its first characters (4 or more)' : ''}`)
      .action(
        action(async (input: string, o: GateOptions) => {
          const changed = await withGate(o, async (gate) =>
            target.change(gate, target.kind ? await resolveId(gate, target.kind, input) : input, paused),
          );
          output.out(
            o.json ? json(changed) : `${target.name} ${changed.id} ${changed.paused ? 'paused' : 'running'}\n`,
          );
        }, output),
      );
  }
  return group;
}

export function registerPauseCommands(program: Command, output: Output = stdio): Command {
  const pause = registerSwitch(program, true, output);
  registerSwitch(program, false, output);
  gateCommand(pause, 'status', 'what is paused now: the queue, plans, follows, workers', 'reyestr pause status').action(
    action(async (o: GateOptions) => {
      const { pauses: paused } = await withGate(o, (gate) => gate.request(PausesDocument, {}));
      if (o.json) return void output.out(json(paused));
      const rows = [
        ...(paused.queue.paused ? [['queue', '-', paused.queue.pausedAt?.slice(0, 19)]] : []),
        ...paused.plans.map((p) => ['plan', `${p.id} (${p.from}..${p.to})`, p.pausedAt?.slice(0, 19)]),
        ...paused.follows.map((f) => ['follow', `${f.id} (${f.schedule})`, null]),
        ...paused.workers.map((c) => ['worker', `${c.id} ${c.name} (draining)`, c.pausedAt?.slice(0, 19)]),
      ];
      output.out(rows.length ? table(['PAUSED', 'WHAT', 'SINCE'], rows) : 'nothing is paused\n');
    }, output),
  );
  return pause;
}
