import type { Redis } from 'ioredis';

/** What a Redis keeps across its own restart, as far as its CONFIG says. */
export type RedisPersistence =
  | { readonly kind: 'durable'; readonly appendonly: boolean; readonly save: string }
  | { readonly kind: 'none' }
  /** CONFIG is refused (managed services rename it, ACLs deny it) or says nothing usable. */
  | { readonly kind: 'unknown'; readonly reason: string };

async function configValue(redis: Redis, name: string): Promise<string | undefined> {
  const reply = (await redis.config('GET', name)) as unknown;
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
}

/**
 * Asks a connected Redis whether it writes its data to disk: an append-only file (`appendonly yes`)
 * or RDB snapshots (a non-empty `save`). Without either, a restart of that Redis comes back empty,
 * taking the cursor and the leader lease with it. Never throws: not knowing is an answer.
 */
export async function redisPersistence(redis: Redis): Promise<RedisPersistence> {
  let appendonly: string | undefined;
  let save: string | undefined;
  try {
    appendonly = await configValue(redis, 'appendonly');
    save = await configValue(redis, 'save');
  } catch (err) {
    return { kind: 'unknown', reason: err instanceof Error ? err.message : String(err) };
  }
  if (appendonly === undefined || save === undefined) return { kind: 'unknown', reason: 'CONFIG GET answered without appendonly or save' };
  if (appendonly === 'no' && save.trim() === '') return { kind: 'none' };
  return { kind: 'durable', appendonly: appendonly === 'yes', save };
}
