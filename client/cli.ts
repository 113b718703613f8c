// The `reyestr` CLI: one commander program; each command group lives in client/commands/.
// `serve` runs the gate, which lives in server/: the client tree never imports it, so whoever starts the CLI
// (bin/reyestr.mjs) hands the gate's entry in as `serve`.
import { Command } from 'commander';
import { registerRegistryCommands } from './commands/registry.ts';
import { registerWorkerCommands } from './commands/worker.ts';
import { registerTaskCommands } from './commands/tasks.ts';
import { registerClientCommands } from './commands/clients.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerDocumentCommands } from './commands/documents.ts';
import { registerStatsCommand } from './commands/stats.ts';
import { registerCoverageCommand } from './commands/coverage.ts';
import { handleClosedPipes } from './commands/pipes.ts';
import { registerFollowCommands } from './commands/follow.ts';
import { registerPauseCommands } from './commands/pause.ts';

export interface CliEntries {
  /** starts the gate (server/main.ts); resolves once it listens */
  serve: () => Promise<void>;
}

export async function runCli(argv: string[], { serve }: CliEntries): Promise<void> {
  handleClosedPipes();
  const program = new Command()
    .name('reyestr')
    .description("Distributed downloader for Ukraine's Unified State Register of Court Decisions")
    .showHelpAfterError('(add --help for usage)');

  program
    .command('serve')
    .description('run the gate (same as npm start); configured by environment variables or .env')
    .addHelpText('after', '\nExample:\n  API_PORT=8000 DATABASE_URL=postgresql://reyestr@db/reyestr reyestr serve')
    .action(() => serve());

  registerRegistryCommands(program);
  registerWorkerCommands(program);
  registerTaskCommands(program);
  registerClientCommands(program);
  registerKeyCommands(program);
  registerDocumentCommands(program);
  registerStatsCommand(program);
  registerCoverageCommand(program);
  registerFollowCommands(program);
  registerPauseCommands(program);

  await program.parseAsync(argv);
}
