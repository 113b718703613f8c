/**
 * `reyestr stats`: tasks by status, active workers, documents and throughput.
 */
import type { Command } from 'commander';
import { graphql } from '../gate/generated/index.ts';
import {
  action,
  fields,
  gateCommand,
  int,
  json,
  stdio,
  table,
  type GateOptions,
  type Output,
  usageExits,
  withGate,
} from './support.ts';

const StatsDocument = graphql(`
  query OperatorStats($minutes: Int) {
    stats(minutes: $minutes) {
      at tasksTotal pending running completed failed dead cancelled activeClients documentsTotal documentsPerMinute
      throughput { minute documents tasksCompleted }
    }
  }
`);

export function registerStatsCommand(program: Command, output: Output = stdio): Command {
  return usageExits(
    gateCommand(
      program,
      'stats',
      'tasks by status, active workers, documents, throughput per minute',
      'reyestr stats --minutes 10',
    )
      .option('--minutes <n>', 'throughput window (default 30)', int('--minutes', 1, 1440))
      .action(
        action(async (o: GateOptions & { minutes?: number }) => {
          const { stats } = await withGate(o, (gate) => gate.request(StatsDocument, { minutes: o.minutes }));
          if (o.json) return void output.out(json(stats));
          output.out(
            fields([
              [
                'tasks',
                `${stats.tasksTotal}: ${stats.pending} pending, ${stats.running} running, ${stats.completed} completed, ${stats.failed} failed, ${stats.dead} dead, ${stats.cancelled} cancelled`,
              ],
              ['workers', `${stats.activeClients} active`],
              ['documents', `${stats.documentsTotal}, ${stats.documentsPerMinute.toFixed(1)}/min (last 5 min)`],
              ['at', stats.at],
            ]),
          );
          const recent = stats.throughput.filter((b) => b.documents > 0 || b.tasksCompleted > 0).slice(-10);
          if (recent.length)
            output.out(
              `\n${table(
                ['MINUTE', 'DOCUMENTS', 'TASKS'],
                recent.map((b) => [b.minute.slice(11, 16), b.documents, b.tasksCompleted]),
              )}`,
            );
        }, output),
      ),
  );
}
