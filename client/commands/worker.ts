/**
 * `reyestr worker`: claims tasks from the gate, downloads decisions from the registry, reports back.
 * Flags keep the older client's names and meanings; each has a REYESTR_* variable. See README "Worker".
 */
import { hostname } from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { GateClient } from '../gate/client.ts';
import { MIB } from '../registry/parsers/page-limits.ts';
import type { Logger } from '../worker/log.ts';
import { defaultOutboxDir, WORKER_DEFAULTS, type WorkerOptions } from '../worker/options.ts';
import type { ProgressDisplay } from '../worker/progress.ts';
import { whenPipeCloses } from './pipes.ts';

const VERSION = '0.1.0';

const number =
  (name: string, { min = 0, integer = false } = {}) =>
  (value: string) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || (integer && !Number.isInteger(parsed))) {
      throw new InvalidArgumentError(`${name} must be ${integer ? 'a whole number' : 'a number'} ≥ ${min}`);
    }
    return parsed;
  };

interface WorkerFlags {
  apiUrl: string;
  apiKey?: string;
  clientName: string;
  outputDir?: string;
  outboxDir?: string;
  uploadWait: number;
  pollInterval: number;
  heartbeatInterval: number;
  concurrency: number;
  rate: number;
  registryUrl?: string;
  transport: WorkerOptions['transport'];
  userAgent?: string;
  once?: boolean;
  tasks: number;
  shutdownGrace: number;
  challengeCooldown: number;
  maxPageSize: number;
  progress: 'auto' | 'bars' | 'lines';
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  logJson?: boolean;
  dbHost?: string;
  dbPort?: string;
}

export function registerWorkerCommands(program: Command): Command {
  const env = (flag: Option, name: string) => flag.env(`REYESTR_${name}`);
  return program
    .command('worker')
    .description('claim tasks from the gate, download court decisions, report progress and results')
    .addOption(
      env(new Option('--api-url <url>', "the gate's URL, e.g. http://gate:8000").makeOptionMandatory(), 'API_URL'),
    )
    .addOption(env(new Option('--api-key <key>', 'a WORKER (or ADMIN) API key of the gate'), 'API_KEY'))
    .addOption(
      env(
        new Option('--client-name <name>', 'name this worker registers under (unique per running worker)').default(
          `${hostname()}-${process.pid}`,
          'host-pid',
        ),
        'CLIENT_NAME',
      ),
    )
    .addOption(
      env(
        new Option(
          '--output-dir <dir>',
          'also keep a local copy of every decision here (<id>/<id>.html|.txt|.json); default: none, the gate has them',
        ),
        'OUTPUT_DIR',
      ),
    )
    .addOption(
      env(
        new Option(
          '--outbox-dir <dir>',
          'where fetched decisions wait until the gate stored them (default: ~/.local/state/reyestr/outbox/<gate>)',
        ),
        'OUTBOX_DIR',
      ),
    )
    .addOption(
      env(
        new Option(
          '--upload-wait <s>',
          "before completing a task, seconds to wait for its decisions' upload (none while the store is away)",
        )
          .argParser(number('--upload-wait'))
          .default(WORKER_DEFAULTS.uploadWaitSeconds),
        'UPLOAD_WAIT',
      ),
    )
    .addOption(
      env(
        new Option(
          '--poll-interval <s>',
          'seconds between claim attempts while idle (fallback to the taskAvailable subscription)',
        )
          .argParser(number('--poll-interval', { min: 0.05 }))
          .default(WORKER_DEFAULTS.pollIntervalSeconds),
        'POLL_INTERVAL',
      ),
    )
    .addOption(
      env(
        new Option(
          '--heartbeat-interval <s>',
          'seconds between heartbeats while idle (running tasks: a third of the lease)',
        )
          .argParser(number('--heartbeat-interval', { min: 0.1 }))
          .default(WORKER_DEFAULTS.heartbeatIntervalSeconds),
        'HEARTBEAT_INTERVAL',
      ),
    )
    .addOption(
      env(
        new Option('--concurrency <n>', 'documents in flight')
          .argParser(number('--concurrency', { min: 1, integer: true }))
          .default(WORKER_DEFAULTS.concurrency),
        'CONCURRENCY',
      ),
    )
    .addOption(
      env(
        new Option(
          '--max-page-size <MB>',
          'registry pages larger than this are refused (the document fails with its reason); raise it only with the heap to match',
        )
          .argParser(number('--max-page-size', { min: 1 }))
          .default(WORKER_DEFAULTS.maxPageSizeMb),
        'MAX_PAGE_SIZE',
      ),
    )
    .addOption(
      env(
        new Option('--rate <n>', 'registry requests per second (0: no limit)')
          .argParser(number('--rate'))
          .default(WORKER_DEFAULTS.rate),
        'RATE',
      ),
    )
    .addOption(
      env(
        new Option(
          '--registry-url <url>',
          'registry base URL (default https://reyestr.court.gov.ua, or $REGISTRY_URL)',
        ),
        'REGISTRY_URL',
      ),
    )
    .addOption(
      env(
        new Option(
          '--transport <name>',
          'how searches are made: http, browser (headless Chromium), auto (http, browser on the error page)',
        )
          .choices(['http', 'browser', 'auto'])
          .default(WORKER_DEFAULTS.transport),
        'TRANSPORT',
      ),
    )
    .addOption(env(new Option('--user-agent <string>', 'User-Agent sent to the registry'), 'USER_AGENT'))
    .addOption(env(new Option('--once', 'run one task, then exit (exit code 1 if it failed)'), 'ONCE'))
    .addOption(
      env(
        new Option(
          '--tasks <n>',
          'tasks fetching at once (one whose last decisions are in flight, or all fetched and waiting for upload, does not count)',
        )
          .argParser(number('--tasks', { min: 1, integer: true }))
          .default(WORKER_DEFAULTS.tasks),
        'TASKS',
      ),
    )
    .addOption(
      env(
        new Option(
          '--shutdown-grace <s>',
          'on SIGINT/SIGTERM, seconds in-flight documents may finish before unfinished tasks are released',
        )
          .argParser(number('--shutdown-grace'))
          .default(WORKER_DEFAULTS.shutdownGraceSeconds),
        'SHUTDOWN_GRACE',
      ),
    )
    .addOption(
      env(
        new Option(
          '--challenge-cooldown <s>',
          'after the registry shows its error page or a captcha: seconds without requests or claims',
        )
          .argParser(number('--challenge-cooldown'))
          .default(WORKER_DEFAULTS.challengeCooldownSeconds),
        'CHALLENGE_COOLDOWN',
      ),
    )
    .addOption(
      env(
        new Option('--progress <mode>', 'progress bars (bars), log lines (lines), or bars on a TTY (auto)')
          .choices(['auto', 'bars', 'lines'])
          .default('auto'),
        'PROGRESS',
      ),
    )
    .addOption(
      env(
        new Option('--log-level <level>').choices(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
        'LOG_LEVEL',
      ),
    )
    .addOption(env(new Option('--log-json', 'log pino JSON lines instead of plain lines'), 'LOG_JSON'))
    .addOption(new Option('--db-host <host>', 'ignored: workers no longer touch the database').hideHelp())
    .addOption(new Option('--db-port <port>', 'ignored: workers no longer touch the database').hideHelp())
    .addHelpText('after', '\nExample:\n  reyestr worker --api-url http://gate:8000 --api-key $KEY --client-name kyiv-1')
    .action(async (flags: WorkerFlags) => {
      const code = await runWorkerCommand(flags);
      // Keep-alive sockets and timers of finished tasks must not hold the process.
      process.exitCode = code;
      setTimeout(() => process.exit(code), 100).unref();
    });
}

async function runWorkerCommand(flags: WorkerFlags): Promise<number> {
  // The worker's modules (registry library, gate client, progress bars) load only when a worker runs.
  const [{ GateClient }, { createWorkerLogger }, { createBarsDisplay, createLinesDisplay }, { Worker }] =
    await Promise.all([
      import('../gate/client.ts'),
      import('../worker/log.ts'),
      import('../worker/progress.ts'),
      import('../worker/worker.ts'),
    ]);
  const bars =
    flags.progress === 'bars' || (flags.progress === 'auto' && process.stderr.isTTY === true && !flags.logJson);
  let log: Logger | null = null;
  const display: ProgressDisplay = bars ? createBarsDisplay() : createLinesDisplay(() => log!);
  log = createWorkerLogger({ level: flags.logLevel, json: flags.logJson, output: display });
  if (flags.dbHost !== undefined || flags.dbPort !== undefined) {
    log.warn(
      '--db-host/--db-port are ignored: workers no longer touch the database; they talk to the gate (--api-url)',
    );
  }
  const options: WorkerOptions = {
    apiUrl: flags.apiUrl,
    apiKey: flags.apiKey,
    clientName: flags.clientName,
    outboxDir: flags.outboxDir ?? defaultOutboxDir(flags.apiUrl),
    outputDir: flags.outputDir ?? null,
    uploadWaitMs: flags.uploadWait * 1000,
    pollIntervalMs: flags.pollInterval * 1000,
    heartbeatIntervalMs: flags.heartbeatInterval * 1000,
    concurrency: flags.concurrency,
    rate: flags.rate,
    registryUrl: flags.registryUrl,
    transport: flags.transport,
    userAgent: flags.userAgent,
    once: flags.once === true,
    tasks: flags.tasks,
    shutdownGraceMs: flags.shutdownGrace * 1000,
    challengeCooldownMs: flags.challengeCooldown * 1000,
    maxPageBytes: Math.round(flags.maxPageSize * MIB),
    progressIntervalMs: WORKER_DEFAULTS.progressIntervalMs,
    version: VERSION,
  };
  let gate: GateClient;
  try {
    gate = new GateClient({ apiUrl: options.apiUrl, apiKey: options.apiKey });
  } catch (error) {
    log.error(`--api-url: ${(error as Error).message}`);
    return 2;
  }
  const worker = new Worker(options, { gate, log, display });
  const onSignal = (signal: NodeJS.Signals) => worker.stop(signal);
  whenPipeCloses(() => worker.stop('closed output pipe'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const code = await worker.run();
    log.info({ ...worker.stats }, 'worker stopped');
    return code;
  } finally {
    display.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
