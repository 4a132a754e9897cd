import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { deserializeCursor, type Cursor } from '../../src/cursor/cursor-store.js';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { API_KEY, redisClient, REDIS_URL, tempDir, uniqueCursorKey } from './harness.js';
import { keysMatching } from './redis-keys.js';

/** What each test gets fresh: a fake WorkOS, a folder, a cursor key of its own and a config file. */
export interface World {
  fake: FakeWorkOS;
  redis: Redis;
  dir: string;
  cursorKey: string;
  /** A config file: Redis cursor under `cursorKey`, a jsonl sink at `eventsFile`, plus `extra`. */
  configPath: string;
  eventsFile: string;
  /** Environment for the CLI: the fake's key and URL. */
  env: Record<string, string>;
  /** Rewrites the config file (or writes another, at `path`) with other top-level keys. */
  writeConfig(extra: Record<string, unknown>, path?: string): Promise<void>;
  storedCursor(): Promise<Cursor | null>;
}

/** Registers the hooks that build and tear down a World around every test of the file. */
export function useWorld(extra: Record<string, unknown> = {}): World {
  const world = {} as World;
  beforeAll(async () => {
    world.redis = await redisClient();
  });
  afterAll(async () => {
    await world.redis.quit();
  });
  beforeEach(async () => {
    world.fake = await startFakeWorkOS();
    world.dir = await tempDir();
    world.cursorKey = uniqueCursorKey();
    world.configPath = join(world.dir, 'config.json');
    world.eventsFile = join(world.dir, 'events.jsonl');
    world.env = { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: world.fake.url };
    world.writeConfig = (more, path = world.configPath) =>
      writeFile(path, JSON.stringify({
        cursor: { store: 'redis', url: REDIS_URL, key: world.cursorKey },
        sinks: [{ type: 'jsonl', path: world.eventsFile }],
        http: { host: '127.0.0.1', port: 0 },
        // Every test shares the key's budget in Redis: leave room, so no test waits on another's requests.
        rateLimit: { requestsPerMinute: 6000 },
        ...more,
        // Keys of this test's own, so that a lease left by a killed process never blocks another test;
        // the world's lease timings hold for every config it writes, unless the config sets its own.
        leader: { key: `${world.cursorKey}:leader`, ...(extra.leader as object | undefined), ...(more.leader as object | undefined) },
        deadLetter: { keyPrefix: `${world.cursorKey}:dlq` },
      }));
    world.storedCursor = async () => {
      const text = await world.redis.get(world.cursorKey);
      return text === null ? null : deserializeCursor(text, world.cursorKey);
    };
    await world.writeConfig(extra);
  });
  afterEach(async () => {
    await world.fake.close();
    const keys = await keysMatching(world.redis, `${world.cursorKey}*`);
    if (keys.length > 0) await world.redis.del(...keys);
  });
  return world;
}
