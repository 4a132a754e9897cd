import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { redisStreamsSink, redisStreamsSinkConfigSchema } from '../../src/sinks/redis-streams/redis-streams-sink.js';
import type { WorkOSEvent } from '../../src/workos/event.js';
import { describeSinkConformance, samplePage } from './sink-conformance.js';
import { keysMatching } from '../support/redis-keys.js';
import { REDIS_URL, redisClient } from '../support/services.js';

/** An event type whose stream key the test fills with a plain string first: XADD answers WRONGTYPE. */
const WRONG_TYPE_EVENT = 'conformance.wrong_type';

/** Stream ids are `<ms>-<seq>`: compared as numbers, since `'9-0' > '10-0'` as text. */
function compareEntryIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

describeSinkConformance('redis_streams', async () => {
  const url = new URL(REDIS_URL);
  const redis = await redisClient();
  // One prefix for this run: streams and dedupe keys of other runs are never seen, and cleanup
  // removes everything under it after each test.
  const prefix = `wes-test:redis-streams:${randomUUID()}`;
  const streamPrefix = `${prefix}:stream:`;
  return {
    service: { host: url.hostname, port: Number(url.port || 6379) },
    async createSink({ host, port }) {
      await redis.set(`${streamPrefix}${WRONG_TYPE_EVENT}`, 'not a stream');
      const config = redisStreamsSinkConfigSchema.parse({
        type: 'redis_streams',
        url: `redis://${host}:${port}${url.pathname}`,
        stream: `${streamPrefix}{event}`,
        dedupeKeyPrefix: `${prefix}:seen`,
        connectTimeoutMs: 2_000,
        commandTimeoutMs: 2_000,
      });
      return redisStreamsSink.create(config, 'redis_streams-test', { logger: pino({ level: 'silent' }), stdout: process.stdout });
    },
    async readBack() {
      const entries: Array<{ entryId: string; event: WorkOSEvent }> = [];
      for (const stream of await keysMatching(redis, `${streamPrefix}*`, 'stream')) {
        for (const [entryId, flat] of await redis.xrange(stream, '-', '+')) {
          const payload = flat[flat.indexOf('payload') + 1]!;
          entries.push({ entryId, event: JSON.parse(payload) as WorkOSEvent });
        }
      }
      // Entry ids order one stream exactly, but not entries of different streams written in the
      // same millisecond (each stream counts its own sequence): merge by created_at, then entry id.
      // The integration tests check the order within a stream by entry id alone.
      entries.sort((a, b) => a.event.created_at.localeCompare(b.event.created_at) || compareEntryIds(a.entryId, b.entryId));
      return entries.map((e) => e.event);
    },
    rejectedPage() {
      const [event] = samplePage(1, 9).events;
      return { events: [{ ...event!, event: WRONG_TYPE_EVENT }] };
    },
    async cleanup() {
      const keys = await keysMatching(redis, `${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    },
  };
});
