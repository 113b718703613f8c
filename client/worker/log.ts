/**
 * The worker's logger: pino (so the registry library and the plan runner log through the same object),
 * printed as plain lines — `12:00:01 INFO  task 3f2a…: completed downloaded=25 skipped=3` — or as pino's
 * JSON lines with `--log-json`. On a TTY the lines go through the progress display so bars stay intact.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value && typeof value === 'object' && 'message' in value)
    return JSON.stringify((value as { message: unknown }).message);
  return JSON.stringify(value);
}

/** One pino JSON line → one human line. */
export function formatLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json);
  } catch {
    return json.trimEnd();
  }
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString().slice(11, 19);
  const level = (LEVEL_NAMES[entry.level as number] ?? 'INFO').padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
  return `${time} ${level} ${entry.msg ?? ''}${fields ? ` ${fields}` : ''}`;
}

export interface LogOutput {
  /** Where plain lines go (default: stderr for warnings and errors, stdout for the rest). */
  line(text: string, level: number): void;
}

export const processOutput: LogOutput = {
  line: (text, level) => (level >= 40 ? process.stderr : process.stdout).write(`${text}\n`),
};

export function createWorkerLogger({
  level = 'info',
  json = false,
  output = processOutput,
}: {
  level?: LevelWithSilent;
  json?: boolean;
  output?: LogOutput;
} = {}): Logger {
  const destination = {
    write(chunk: string) {
      const levelNumber = Number(/"level":(\d+)/.exec(chunk)?.[1] ?? 30);
      output.line(json ? chunk.trimEnd() : formatLine(chunk), levelNumber);
    },
  };
  return pino({ level, base: undefined }, destination);
}
