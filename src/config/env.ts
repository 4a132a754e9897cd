/**
 * The short, fixed table of environment variables the daemon reads. Everything else lives in the
 * config file; `${VAR}` references inside its string values cover secrets in sink configs. Each
 * secret (the API key, the webhook secret, REDIS_URL and every `${VAR}`) may instead come from
 * the file that `<name>_FILE` names (secret-env.ts).
 */
export const ENV = {
  apiKey: 'WORKOS_API_KEY',
  webhookSecret: 'WORKOS_WEBHOOK_SECRET',
  baseUrl: 'WORKOS_BASE_URL',
  redisUrl: 'REDIS_URL',
  logLevel: 'LOG_LEVEL',
  logFormat: 'LOG_FORMAT',
  configPath: 'WORKOS_EVENTS_SYNC_CONFIG',
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

/** Config file used when neither `--config` nor WORKOS_EVENTS_SYNC_CONFIG names one. */
export const DEFAULT_CONFIG_PATH = './config.json';

/** Lays the deployment overrides over the parsed file, before validation. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const baseUrl = env[ENV.baseUrl];
  if (baseUrl) out.workos = { ...(isObject(raw.workos) ? raw.workos : {}), baseUrl };
  const redisUrl = env[ENV.redisUrl];
  if (redisUrl) {
    // REDIS_URL moves the cursor to Redis even if the file says "file": a deployment sets it on purpose.
    const cursor = isObject(raw.cursor) && raw.cursor.store === 'redis' ? raw.cursor : { store: 'redis' };
    out.cursor = { ...cursor, url: redisUrl };
  }
  const logLevel = env[ENV.logLevel];
  if (logLevel) out.logLevel = logLevel;
  const logFormat = env[ENV.logFormat];
  if (logFormat) out.logFormat = logFormat;
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
