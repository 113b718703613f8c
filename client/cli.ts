// The `reyestr` CLI: one commander program; each command group lives in client/commands/.
import { Command } from 'commander';
import { registerRegistryCommands } from './commands/registry.ts';
import { registerWorkerCommands } from './commands/worker.ts';
import { registerTaskCommands } from './commands/tasks.ts';
import { registerClientCommands } from './commands/clients.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerDocumentCommands } from './commands/documents.ts';
import { registerStatsCommand } from './commands/stats.ts';
import { registerCoverageCommand } from './commands/coverage.ts';

const program = new Command()
  .name('reyestr')
  .description("Distributed downloader for Ukraine's Unified State Register of Court Decisions")
  .showHelpAfterError('(add --help for usage)');

program
  .command('serve')
  .description('run the gate (same as npm start); configured by environment variables or .env')
  .addHelpText('after', '\nExample:\n  API_PORT=8000 DATABASE_URL=postgresql://reyestr@db/reyestr reyestr serve')
  .action(async () => {
    const { main } = await import('../server/main.ts');
    await main();
  });

registerRegistryCommands(program);
registerWorkerCommands(program);
registerTaskCommands(program);
registerClientCommands(program);
registerKeyCommands(program);
registerDocumentCommands(program);
registerStatsCommand(program);
registerCoverageCommand(program);

await program.parseAsync(process.argv);
