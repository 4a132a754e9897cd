import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA, so only its hash crosses the wire; the full text is sent
 * (EVAL, which also caches it) only when the server answers NOSCRIPT, as after a restart or a
 * SCRIPT FLUSH. The client is borrowed, so nothing is defined on it (no `defineCommand`).
 */
export class RedisScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** Redis error replies start with their code ("NOSCRIPT No matching script"): that word is the protocol's code, not prose. */
function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}
