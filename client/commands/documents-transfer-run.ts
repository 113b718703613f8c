/**
 * The work behind `reyestr documents import` and `pull` (registered in documents-transfer.ts): loaded only
 * when one of them runs, so the CLI's entry does not load the corpus client, the progress bar or the
 * registry library for every command.
 */
import { ContentClient } from '../corpus/content-client.ts';
import { importFolder } from '../corpus/import.ts';
import { pullDocuments } from '../corpus/pull.ts';
import { DEFAULT_REGISTRY_URL } from '../registry/index.ts';
import { createWorkerLogger } from '../worker/log.ts';
import { commandBar } from './progress-bar.ts';
import { CliError, EXIT, json, withGate, type GateOptions, type Output } from './support.ts';

/** A bar on a terminal (stderr), nothing elsewhere; stops itself on Ctrl-C so the summary still prints. */
function progressBar(what: string) {
  if (!process.stderr.isTTY) return { update: (_done: number, _total: number) => {}, stop: () => {} };
  return commandBar(what);
}

/** Ctrl-C stops starting new work; what is under way finishes and the summary is printed (run again to resume). */
function interruptible() {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  return { signal: controller.signal, done: () => process.off('SIGINT', onSignal) };
}

export interface ImportOptions extends GateOptions {
  registryUrl?: string;
  batch: number;
}

export async function runImport(dir: string, o: ImportOptions, output: Output): Promise<void> {
  const log = createWorkerLogger({ level: 'warn' });
  const bar = progressBar('import');
  const stop = interruptible();
  const summary = await withGate(o, (gate) =>
    importFolder({
      dir,
      gate,
      content: new ContentClient(o.apiUrl, o.apiKey),
      log,
      registryUrl: o.registryUrl ?? DEFAULT_REGISTRY_URL,
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
  if (summary.rejected.length > 0) throw new CliError(`${summary.rejected.length} document(s) refused`, EXIT.USAGE);
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export interface PullOptions extends GateOptions {
  outputDir: string;
  task?: string;
  from?: string;
  to?: string;
  region?: string;
  concurrency: number;
  plan?: boolean;
}

export async function runPull(o: PullOptions, output: Output): Promise<void> {
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
      plan: o.plan,
      signal: stop.signal,
      onProgress: bar.update,
    }),
  ).finally(() => {
    bar.stop();
    stop.done();
  });
  if (o.json) output.out(json(summary));
  else if (summary.plan) {
    const { toPull, bytesToWrite, bytesToFetch, bytesAlreadyThere } = summary.plan;
    output.out(
      `${summary.listed} listed: ${toPull} would be pulled (${megabytes(bytesToWrite)} of HTML and text to write, ` +
        `${megabytes(bytesToFetch)} to fetch), ${summary.skipped} already there (${megabytes(bytesAlreadyThere)}); nothing written\n`,
    );
  } else {
    output.out(
      `${summary.listed} listed: ${summary.written} written, ${summary.skipped} already there, ${summary.failed.length} failed\n`,
    );
    for (const f of summary.failed.slice(0, 20)) output.err(`  ${f.documentId}: ${f.reason}\n`);
  }
  if (summary.failed.length > 0) throw new CliError(`${summary.failed.length} document(s) failed`, EXIT.SERVER);
}
