// Structured JSON logs (pino). Keys never reach a log line: the redact paths cover every place one travels.
// On a terminal the same records are printed as readable lines (pino-pretty: time, level, message, fields);
// anywhere else (systemd, docker, a pipe, a file) they stay JSON lines for machines. LOG_FORMAT=json|pretty decides
// explicitly.
import { createRequire } from 'node:module';
import pino from 'pino';

export type Logger = pino.Logger;

type PrettyFactory = (options: Record<string, unknown>) => pino.DestinationStream;

/** Pretty lines when stdout is a terminal (or LOG_FORMAT=pretty), unless LOG_FORMAT=json. */
export function wantsPrettyLogs(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): boolean {
  const format = env.LOG_FORMAT?.toLowerCase();
  return format === 'pretty' || (format !== 'json' && isTTY);
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'reyestr-gate' },
    redact: {
      paths: ['req.headers["x-api-key"]', 'req.headers.authorization', 'apiKey', 'key', 'connectionParams'],
      censor: '[redacted]',
    },
  };
  if (!destination && wantsPrettyLogs()) {
    // loaded only here: a gate whose output is not a terminal never needs it
    const pretty = createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
    return pino(
      options,
      pretty({
        colorize: process.stdout.isTTY === true && !process.env.NO_COLOR,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname,service',
        singleLine: true,
        sync: true,
      }),
    );
  }
  return pino(options, destination);
}
