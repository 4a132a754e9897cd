import { PinoPretty } from 'pino-pretty';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { collectSecrets } from '../observability/collect-secrets.js';

/** The logger for a loaded config, told every secret it must scrub; pretty for a terminal if asked. */
export function loggerFor(loaded: LoadedConfig): Logger {
  const { config } = loaded;
  const secrets = [loaded.apiKey ?? '', loaded.webhookSecret ?? '', ...collectSecrets(config)];
  // Synchronous, in-process: no worker thread whose buffered lines could be lost on exit.
  const destination = config.logFormat === 'pretty' ? PinoPretty({ destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' }) : undefined;
  return createLogger({ level: config.logLevel, secrets, ...(destination ? { destination } : {}) });
}
