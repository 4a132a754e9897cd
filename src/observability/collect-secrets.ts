import { urlSecrets } from './redact-url.js';

/** Config keys whose string values are secrets whatever they look like. */
export const SECRET_KEYS = /^(secret|password|pass|token|apiKey|api_key|credentials|authorization|x-api-key)$/i;

/**
 * Every secret value in a (validated) config: URL passwords (and tokens) anywhere, and the values
 * of keys that name a secret; a URL's user name is none (see redact-url.ts). The logger scrubs
 * each from every line, so a driver error that quotes a connection string cannot leak one.
 */
export function collectSecrets(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    // NATS servers may be written without a scheme ("token@nats:4222"); the client reads them as nats://.
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : key === 'servers' && value.includes('@') ? `nats://${value}` : undefined;
    const fromUrl = url === undefined ? [] : urlSecrets(url);
    return SECRET_KEYS.test(key) && value.length >= 4 ? [value, ...fromUrl] : fromUrl;
  }
  if (Array.isArray(value)) return value.flatMap((item) => collectSecrets(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => collectSecrets(v, k));
  }
  return [];
}
