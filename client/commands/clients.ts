/**
 * `reyestr clients list`: the workers the gate knows, their state and counters.
 */
import type { Command } from 'commander';
import { graphql } from '../gate/generated/index.ts';
import {
  CliError,
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

const ClientsDocument = graphql(`
  query OperatorClients($status: ClientStatus) {
    clients(status: $status) {
      id name host version status lastHeartbeatAt tasksCompleted tasksFailed documentsDownloaded createdAt
      currentTasks { id }
    }
  }
`);

const CLIENT_STATUSES = ['ACTIVE', 'INACTIVE', 'STOPPED', 'DISABLED'] as const;

export function registerClientCommands(program: Command, output: Output = stdio): Command {
  const clients = commandGroup(program, 'clients', 'the workers registered with the gate');
  gateCommand(
    clients,
    'list',
    'list workers: status, last heartbeat, tasks held, counters',
    'reyestr clients list --status active',
  )
    .option('--status <status>', CLIENT_STATUSES.join('|').toLowerCase())
    .action(
      action(async (o: GateOptions & { status?: string }) => {
        const status = o.status?.toUpperCase() as (typeof CLIENT_STATUSES)[number] | undefined;
        if (status && !CLIENT_STATUSES.includes(status))
          throw new CliError(`--status: "${o.status}" is not one of ${CLIENT_STATUSES.join(', ').toLowerCase()}`);
        const { clients: rows } = await withGate(o, (gate) => gate.request(ClientsDocument, { status }));
        if (o.json) return void output.out(json(rows));
        output.out(
          table(
            ['ID', 'NAME', 'HOST', 'STATUS', 'LAST HEARTBEAT', 'HOLDS', 'DONE', 'FAILED', 'DOCUMENTS'],
            rows.map((c) => [
              c.id,
              c.name,
              c.host,
              c.status,
              c.lastHeartbeatAt.slice(0, 19),
              c.currentTasks.length,
              c.tasksCompleted,
              c.tasksFailed,
              c.documentsDownloaded,
            ]),
          ),
        );
      }, output),
    );
  return clients;
}
