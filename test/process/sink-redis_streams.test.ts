import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorkOSEvent } from '../../src/workos/event.js';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { copyExampleConfig } from '../support/example-config.js';
import { API_KEY, REDIS_URL, redisClient, tempDir } from '../support/harness.js';
import { keysMatching } from '../support/redis-keys.js';

let redis: Redis;
let fake: FakeWorkOS;
let streamPrefix: string;

/** Every stream of this run, each entry as its stream, fields and parsed payload, in stream order. */
async function storedStreams(): Promise<Map<string, Array<{ fields: string[]; event: WorkOSEvent }>>> {
  const streams = new Map<string, Array<{ fields: string[]; event: WorkOSEvent }>>();
  for (const stream of (await keysMatching(redis, `${streamPrefix}*`, 'stream')).sort()) {
    streams.set(stream, (await redis.xrange(stream, '-', '+')).map(([, fields]) => ({ fields, event: JSON.parse(fields[7]!) as WorkOSEvent })));
  }
  return streams;
}

beforeAll(async () => {
  redis = await redisClient();
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  fake = await startFakeWorkOS();
  streamPrefix = `wes-test:redis-streams:${randomBytes(6).toString('hex')}:`;
});
afterEach(async () => {
  await fake.close();
  // The streams, and the dedupe keys (named after their stream) under the example's prefix.
  const keys = [...(await keysMatching(redis, `${streamPrefix}*`)), ...(await keysMatching(redis, `*:${streamPrefix}*`))];
  if (keys.length > 0) await redis.del(...keys);
});

describe('the redis_streams example config', () => {
  it("a new user's run with examples/redis_streams.json delivers a backlog from the fake WorkOS into Redis Streams", async () => {
    seedBacklog(fake, 250, { start: new Date(Date.now() - 3_600_000) });
    const dir = await tempDir('wes-redis-streams-');
    const configPath = await copyExampleConfig<{ stream: string }>('redis_streams.json', dir, (sink) => {
      expect(sink.stream).toBe('workos:events:{event}');
      // Only the names change: streams of this run's own.
      sink.stream = sink.stream.replace(/^workos:events:/, streamPrefix);
    });

    const env = { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url };
    const result = await runCli(['once', '--config', configPath], env, dir);
    expect(result.code, result.stderr).toBe(0);

    const expected = fake.events.map((e) => JSON.parse(JSON.stringify(e)) as WorkOSEvent);
    const streams = await storedStreams();
    // One stream per event type, each holding that type's events in the order WorkOS sent them.
    expect([...streams.keys()]).toEqual([...new Set(expected.map((e) => `${streamPrefix}${e.event}`))].sort());
    for (const [stream, entries] of streams) {
      const ofType = expected.filter((e) => `${streamPrefix}${e.event}` === stream);
      expect(entries.map((x) => x.event)).toEqual(ofType);
      expect(entries.map((x) => x.fields.filter((_, i) => i % 2 === 0))).toEqual(ofType.map(() => ['id', 'event', 'created_at', 'payload']));
      expect(entries.map((x) => [x.fields[1], x.fields[3], x.fields[5]])).toEqual(ofType.map((e) => [e.id, e.event, e.created_at]));
    }
    const all = [...streams.values()].flat().map((x) => x.event);
    expect(all).toHaveLength(250);
    all.sort((a, b) => a.created_at.localeCompare(b.created_at));
    expect(all.map((e) => e.id)).toEqual(expected.map((e) => e.id));

    // A second run from scratch (cursor forgotten) replays everything: the remembered ids add nothing.
    const again = await runCli(['once', '--config', configPath, '--reset-cursor'], env, dir);
    expect(again.code, again.stderr).toBe(0);
    const lengths = await Promise.all([...streams.keys()].map((s) => redis.xlen(s)));
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(250);
  });
});
