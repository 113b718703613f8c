/**
 * `reyestr documents import DIR` and `reyestr documents pull --output-dir DIR`: moving decisions between a
 * folder and the gate's document store (client/corpus/import.ts, pull.ts), with a progress bar on a terminal.
 */
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { ContentClient } from '../corpus/content-client.ts';
import { importFolder } from '../corpus/import.ts';
import { pullDocuments } from '../corpus/pull.ts';
import { DEFAULT_REGISTRY_URL } from '../registry/index.ts';
import { createWorkerLogger } from '../worker/log.ts';
import {
  CliError,
  EXIT,
  action,
  gateCommand,
  int,
  json,
  stdio,
  withGate,
  type GateOptions,
  type Output,
} from './support.ts';

/** A bar on a terminal (stderr), nothing elsewhere; stops itself on Ctrl-C so the summary still prints. */
function progressBar(what: string) {
  if (!process.stderr.isTTY) return { update: (_done: number, _total: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${what} [{bar}] {value}/{total} {percentage}% | {rate}/s | ETA {eta_formatted}`,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(0, 0, { rate: '0' });
  return {
    update: (done: number, total: number) => {
      bar.setTotal(total);
      bar.update(done, { rate: (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1) });
    },
    stop: () => bar.stop(),
  };
}

/** Ctrl-C stops starting new work; what is under way finishes and the summary is printed (run again to resume). */
function interruptible() {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  return { signal: controller.signal, done: () => process.off('SIGINT', onSignal) };
}

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
    .option('--registry-url <url>', 'registry base URL for source links of older pages', DEFAULT_REGISTRY_URL)
    .option('--batch <n>', 'documents per upload batch (default 25)', int('--batch', 1, 200), 25)
    .action(
      action(async (dir: string, o: GateOptions & { registryUrl: string; batch: number }) => {
        const log = createWorkerLogger({ level: 'warn' });
        const bar = progressBar('import');
        const stop = interruptible();
        const summary = await withGate(o, (gate) =>
          importFolder({
            dir,
            gate,
            content: new ContentClient(o.apiUrl, o.apiKey),
            log,
            registryUrl: o.registryUrl,
            batchSize: o.batch,
            signal: stop.signal,
            onProgress: bar.update,
          }),
        ).finally(() => {
          bar.stop();
          stop.done();
        });
        if (o.json) output.out(json(summary));
        else {
          output.out(
            `${summary.found} found: ${summary.stored} stored, ${summary.present} the gate had, ${summary.rejected.length} refused\n`,
          );
          for (const r of summary.rejected.slice(0, 20)) output.err(`  ${r.documentId}: ${r.reason}\n`);
        }
        if (summary.rejected.length > 0)
          throw new CliError(`${summary.rejected.length} document(s) refused`, EXIT.USAGE);
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
    .action(
      action(
        async (
          o: GateOptions & {
            outputDir: string;
            task?: string;
            from?: string;
            to?: string;
            region?: string;
            concurrency: number;
          },
        ) => {
          const log = createWorkerLogger({ level: 'warn' });
          const bar = progressBar('pull');
          const stop = interruptible();
          const filter = {
            ...(o.task ? { taskId: o.task } : {}),
            ...(o.region ? { courtRegions: [o.region] } : {}),
            ...(o.from || o.to ? { adoptedOn: { from: o.from, to: o.to } } : {}),
          };
          const summary = await withGate(o, (gate) =>
            pullDocuments({
              outputDir: o.outputDir,
              gate,
              content: new ContentClient(o.apiUrl, o.apiKey),
              log,
              filter,
              concurrency: o.concurrency,
              signal: stop.signal,
              onProgress: bar.update,
            }),
          ).finally(() => {
            bar.stop();
            stop.done();
          });
          if (o.json) output.out(json(summary));
          else {
            output.out(
              `${summary.listed} listed: ${summary.written} written, ${summary.skipped} already there, ${summary.failed.length} failed\n`,
            );
            for (const f of summary.failed.slice(0, 20)) output.err(`  ${f.documentId}: ${f.reason}\n`);
          }
          if (summary.failed.length > 0) throw new CliError(`${summary.failed.length} document(s) failed`, EXIT.SERVER);
        },
        output,
      ),
    );
}
