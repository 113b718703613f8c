/**
 * `reyestr documents import DIR` and `reyestr documents pull --output-dir DIR`: moving decisions between a
 * folder and the gate's document store (client/corpus/import.ts, pull.ts). Only the options live here; the
 * work (documents-transfer-run.ts) loads when a command runs, keeping `reyestr --help` quick.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { action, gateCommand, int, stdio, type Output } from './support.ts';
import type { ImportOptions, PullOptions } from './documents-transfer-run.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const date = (name: string) => (value: string) => {
  if (!DATE.test(value)) throw new InvalidArgumentError(`${name} must be YYYY-MM-DD`);
  return value;
};

export function registerDocumentTransferCommands(documents: Command, output: Output = stdio): void {
  gateCommand(
    documents,
    'import',
    "upload a folder of decisions to the gate's document store (admin key), skipping what the gate has",
    'reyestr documents import /data/decisions',
  )
    .argument('<dir>', 'a folder of <id>/<id>.html|.txt|.json, or of the older <id>/<id>_<id>.html (+ _print.html)')
    .option(
      '--registry-url <url>',
      'registry base URL for source links of older pages (default https://reyestr.court.gov.ua)',
    )
    .option('--batch <n>', 'documents per upload batch (default 25)', int('--batch', 1, 200), 25)
    .action(
      action(async (dir: string, o: ImportOptions) => {
        const { runImport } = await import('./documents-transfer-run.ts');
        await runImport(dir, o, output);
      }, output),
    );

  gateCommand(
    documents,
    'pull',
    'write stored decisions to a folder (<id>/<id>.html|.txt|.json), skipping files already there with the right sha256',
    'reyestr documents pull --output-dir ./corpus --region 11 --from 2024-01-01 --to 2024-12-31',
  )
    .requiredOption('--output-dir <dir>', 'where to write them')
    .option('--task <id>', 'downloaded by this task')
    .option('--from <date>', 'adopted on or after (YYYY-MM-DD)', date('--from'))
    .option('--to <date>', 'adopted on or before (YYYY-MM-DD)', date('--to'))
    .option('--region <code>', 'CourtRegion code (11 = Київська область)')
    .option('--concurrency <n>', 'documents fetched at once (default 8)', int('--concurrency', 1, 64), 8)
    .option('--plan', 'only say what would be pulled (documents and bytes, after checking the folder); write nothing')
    .action(
      action(async (o: PullOptions) => {
        const { runPull } = await import('./documents-transfer-run.ts');
        await runPull(o, output);
      }, output),
    );
}
