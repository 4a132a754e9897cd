import { ENV, type Env } from './env.js';
import { readSecretEnv } from './secret-env.js';

/** What a WorkOS secret key looks like; also used to spot keys pasted into config files. */
export const API_KEY_PATTERN = /\bsk_(?:test|live)_[A-Za-z0-9]/;

/**
 * Reads the API key from the environment (WORKOS_API_KEY, or the file WORKOS_API_KEY_FILE names)
 * and says, in words a person can act on, what is wrong with it. Returns either the key or one
 * problem line.
 */
export function readApiKey(env: Env): { apiKey: string } | { problem: string } {
  const read = readSecretEnv(env, ENV.apiKey);
  if ('problem' in read) return read;
  const key = read.value?.trim();
  const from = read.from;
  if (!key) return { problem: `${ENV.apiKey} is not set: export the secret key (sk_...) from the WorkOS dashboard, API Keys page (or name a file holding it in ${ENV.apiKey}_FILE)` };
  if (key.startsWith('pk_')) return { problem: `${from} holds a publishable key (pk_...): the Events API needs the secret key (sk_...)` };
  if (key.startsWith('client_')) return { problem: `${from} holds a client ID (client_...): the Events API needs the secret key (sk_...)` };
  if (!key.startsWith('sk_')) return { problem: `${from} does not start with sk_: the Events API needs a WorkOS secret key (sk_...)` };
  return { apiKey: key };
}
