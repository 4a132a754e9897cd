import type { Redis } from 'ioredis';

/** Every key matching `pattern` (optionally of one Redis `type`), by SCAN: never KEYS on a shared server. */
export async function keysMatching(redis: Redis, pattern: string, type?: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = type
      ? await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000, 'TYPE', type)
      : await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}
