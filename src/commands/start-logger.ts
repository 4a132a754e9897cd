import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { urlSecrets } from '../observability/redact-url.js';

/** The logger for a loaded config, told every secret it must scrub. */
export function loggerFor(loaded: LoadedConfig): Logger {
  const { config } = loaded;
  const secrets = [loaded.apiKey ?? '', ...(config.cursor.store === 'redis' ? urlSecrets(config.cursor.url) : [])];
  return createLogger({ level: config.logLevel, secrets });
}
