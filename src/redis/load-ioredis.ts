import { createRequire } from 'node:module';

type IORedis = typeof import('ioredis');
let loaded: IORedis | undefined;

/**
 * ioredis, required the first time a Redis client is made: it adds about 20 MB to a process, and a
 * deployment with a file cursor (a cron `once`, the demo) never talks to Redis. It is a CommonJS
 * package, so a synchronous require keeps the client's construction synchronous.
 */
export function ioredis(): IORedis {
  loaded ??= createRequire(import.meta.url)('ioredis') as IORedis;
  return loaded;
}
