import type { Config } from '../config/schema.js';
import type { WorkOSApiOptions } from './workos-api.js';

/**
 * The connection settings every user of the WorkOS API takes from the config (the daemon, `check`,
 * `events`, `reconcile`), so that a new setting reaches all of them at once.
 */
export function apiOptionsFromConfig(config: Config, apiKey: string): Pick<WorkOSApiOptions, 'apiKey' | 'baseUrl' | 'timeoutMs' | 'retryAfter'> {
  return {
    apiKey,
    baseUrl: config.workos.baseUrl,
    timeoutMs: config.workos.timeoutMs,
    retryAfter: { defaultMs: config.retry.defaultRetryAfterMs, maxMs: config.retry.maxRetryAfterMs },
  };
}
