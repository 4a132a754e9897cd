import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  /** Values that must never reach a log line (the API key, URL passwords), scrubbed from every line. */
  readonly secrets?: readonly string[];
  /** Defaults to standard error, so that standard output stays free for the stdout sink. */
  readonly destination?: DestinationStream;
}

/**
 * Structured JSON logs. Secrets are removed twice over: known fields by path (pino's `redact`),
 * and any known secret value wherever it appears, even inside an error message from a driver.
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  return pino(
    {
      name: 'workos-events-sync',
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['apiKey', '*.apiKey', 'password', '*.password', 'headers.authorization', '*.headers.authorization', '*.headers.Authorization'],
        censor: '[redacted]',
      },
      hooks: {
        streamWrite: (line) => {
          let out = line;
          for (const secret of secrets) out = out.replaceAll(secret, '[redacted]');
          return out;
        },
      },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}
