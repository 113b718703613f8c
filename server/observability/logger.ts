// Structured JSON logs (pino). Keys never reach a log line: the redact paths cover every place one travels.
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'reyestr-gate' },
      redact: {
        paths: ['req.headers["x-api-key"]', 'req.headers.authorization', 'apiKey', 'key', 'connectionParams'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
