/**
 * What every operator command shares: the gate connection (`--api-url`/`--api-key` or REYESTR_API_URL/
 * REYESTR_API_KEY), `--json`, search params from `--param Name=value` / `--params-json`, tables, and the
 * exit codes with one readable error line.
 *
 * Exit codes: 0 ok · 1 unexpected error · 2 usage error or input the gate refused · 3 not found ·
 * 4 gate unreachable or server error · 5 key missing, unknown or not allowed · 6 conflict (the task's state
 * does not allow it).
 */
import { type Command, type CommanderError, InvalidArgumentError, Option } from 'commander';
import type { GateClient } from '../gate/client.ts';
import { GateCallError } from '../gate/errors.ts';
import { SEARCH_FIELDS, SEARCH_FIELD_NAMES, type SearchParams } from '../rules/index.ts';

export const EXIT = { OK: 0, UNEXPECTED: 1, USAGE: 2, NOT_FOUND: 3, SERVER: 4, AUTH: 5, CONFLICT: 6 } as const;

export const EXIT_CODES_HELP = `
Exit codes: 0 ok, 2 usage error or refused input, 3 not found, 4 gate unreachable or server error,
5 API key missing/refused/not allowed, 6 conflict (e.g. cancelling a completed task), 1 anything else.`;

export const DEFAULT_API_URL = 'http://localhost:8000';

/** A failure the command explains itself (one line, an exit code). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof GateCallError) {
    switch (error.code) {
      case 'BAD_USER_INPUT':
        return EXIT.USAGE;
      case 'NOT_FOUND':
        return EXIT.NOT_FOUND;
      case 'UNAUTHENTICATED':
      case 'FORBIDDEN':
        return EXIT.AUTH;
      case 'CONFLICT':
      case 'LEASE_LOST':
        return EXIT.CONFLICT;
      default:
        return EXIT.SERVER; // NETWORK, HTTP_5xx, INTERNAL_SERVER_ERROR, RATE_LIMITED
    }
  }
  return EXIT.UNEXPECTED;
}

/** The error as one line. */
export function errorLine(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** Runs a command action: any failure becomes `reyestr: <message>` on stderr and its exit code. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>, output: Output = stdio) {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      output.err(`reyestr: ${errorLine(error)}\n`);
      process.exitCode = exitCodeFor(error);
    }
  };
}

/** Usage errors of this command (and of subcommands added later) exit with 2; help exits with 0. */
export const usageExits = (command: Command) =>
  command
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError(false)
    .configureOutput({ outputError: (text, write) => write(`reyestr: ${text.replace(/^error: /, '')}`) })
    .exitOverride((error: CommanderError) => {
      process.exit(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
    });

/** A command group whose subcommands exit with 2 on usage errors. */
export const commandGroup = (program: Command, name: string, description: string) =>
  usageExits(program.command(name).description(description));

export interface GateOptions {
  apiUrl: string;
  apiKey?: string;
  json?: boolean;
}

/** `--api-url`, `--api-key` (with their environment variables) and `--json`, plus a help example. */
export function gateCommand(parent: Command, name: string, description: string, example: string): Command {
  return parent
    .command(name)
    .description(description)
    .addOption(new Option('--api-url <url>', "the gate's URL").env('REYESTR_API_URL').default(DEFAULT_API_URL))
    .addOption(new Option('--api-key <key>', 'an API key (admin for changes)').env('REYESTR_API_KEY'))
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', `\nExample:\n  ${example}`);
}

/** Runs work with a client that is closed afterwards. The client (GraphQL and HTTP libraries) loads only here. */
export async function withGate<T>(options: GateOptions, work: (gate: GateClient) => Promise<T>): Promise<T> {
  const { GateClient } = await import('../gate/client.ts');
  let gate: GateClient;
  try {
    gate = new GateClient({ apiUrl: options.apiUrl, apiKey: options.apiKey });
  } catch {
    throw new CliError(`--api-url: "${options.apiUrl}" is not a URL`);
  }
  try {
    return await work(gate);
  } finally {
    await gate.close();
  }
}

// ---- parsing options --------------------------------------------------------------------------------

export const int =
  (name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };

export const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

const MULTI_SELECTS = new Set(SEARCH_FIELDS.filter((field) => field.kind === 'multi').map((field) => field.name));

/** `--param Name=value`, repeatable; a multi-select's values may be repeated or comma-separated. */
export function collectParam(raw: string, params: SearchParams = {}): SearchParams {
  const separator = raw.indexOf('=');
  if (separator <= 0)
    throw new InvalidArgumentError(
      `expected Name=value, e.g. CourtRegion=11 (fields: ${SEARCH_FIELD_NAMES.join(', ')})`,
    );
  const name = raw.slice(0, separator).trim();
  const value = raw.slice(separator + 1).trim();
  if (!MULTI_SELECTS.has(name.replace(/\[\]$/, ''))) return { ...params, [name]: value };
  const previous = params[name];
  return {
    ...params,
    [name]: [
      ...(Array.isArray(previous) ? previous : previous ? [previous] : []),
      ...value.split(',').map((v) => v.trim()),
    ],
  };
}

export const paramOptions = (command: Command) =>
  command
    .option('-p, --param <Name=value>', 'a registry search field (repeat it; commas for lists)', collectParam)
    .option('--params-json <json>', 'search fields as a JSON object, e.g. \'{"CourtRegion":["11"]}\'');

/** `--param`s merged over `--params-json`. */
export function searchParamsOf(options: { param?: SearchParams; paramsJson?: string }): SearchParams {
  let base: SearchParams = {};
  if (options.paramsJson) {
    try {
      base = JSON.parse(options.paramsJson);
    } catch (error) {
      throw new CliError(`--params-json: not JSON (${(error as Error).message})`);
    }
    if (!base || typeof base !== 'object' || Array.isArray(base))
      throw new CliError('--params-json: must be a JSON object');
  }
  return { ...base, ...(options.param ?? {}) };
}

/** The ISO time of `--run-at`: an ISO date-time, or +<n>s|m|h from now. */
export function timeOption(name: string) {
  return (value: string) => {
    const relative = /^\+(\d+)([smh])$/.exec(value);
    const at = relative
      ? Date.now() + Number(relative[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[relative[2] as 's' | 'm' | 'h']
      : Date.parse(value);
    if (Number.isNaN(at)) throw new InvalidArgumentError(`${name} must be an ISO date-time or +<n>s|m|h`);
    return new Date(at).toISOString();
  };
}

// ---- printing ---------------------------------------------------------------------------------------

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A plain text table; cells are strings, columns padded to their widest cell. */
export function table(header: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))));
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column].length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}

/** Key: value lines. */
export function fields(entries: Array<[string, unknown]>): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries
    .map(
      ([key, value]) =>
        `${`${key}:`.padEnd(width + 1)} ${value === null || value === undefined ? '-' : typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join('\n')
    .concat('\n');
}

export const shortId = (id: string | null | undefined) => (id ? id.slice(0, 8) : '-');
export const params = (value: unknown) => (value && typeof value === 'object' ? JSON.stringify(value) : '-');
