import { ENV, type Env } from './env.js';

/** What a WorkOS secret key looks like; also used to spot keys pasted into config files. */
export const API_KEY_PATTERN = /\bsk_(?:test|live)_[A-Za-z0-9]/;

/**
 * Reads the API key from the environment and says, in words a person can act on, what is wrong
 * with it. Returns either the key or one problem line.
 */
export function readApiKey(env: Env): { apiKey: string } | { problem: string } {
  const key = env[ENV.apiKey]?.trim();
  if (!key) return { problem: `${ENV.apiKey} is not set: export the secret key (sk_...) from the WorkOS dashboard, API Keys page` };
  if (key.startsWith('pk_')) return { problem: `${ENV.apiKey} holds a publishable key (pk_...): the Events API needs the secret key (sk_...)` };
  if (key.startsWith('client_')) return { problem: `${ENV.apiKey} holds a client ID (client_...): the Events API needs the secret key (sk_...)` };
  if (!key.startsWith('sk_')) return { problem: `${ENV.apiKey} does not start with sk_: the Events API needs a WorkOS secret key (sk_...)` };
  return { apiKey: key };
}
