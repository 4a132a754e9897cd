import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis, ReplyError } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isRetryableRedisError } from '../../../src/sinks/redis-streams/classify-redis-streams-error.js';
import { redisStreamsSink, redisStreamsSinkConfigSchema } from '../../../src/sinks/redis-streams/redis-streams-sink.js';
import type { Sink } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { samplePage } from '../../conformance/sink-conformance.js';
import { TestRedisServer } from '../../support/redis-server.js';
import { REDIS_URL, redisClient } from '../../support/services.js';

const context = { logger: pino({ level: 'silent' }), stdout: process.stdout };

let redis: Redis;
let prefix: string;
let sinks: Sink[];

function sinkWith(options: Record<string, unknown> = {}, url = REDIS_URL): Sink {
  const config = redisStreamsSinkConfigSchema.parse({
    type: 'redis_streams',
    url,
    stream: `${prefix}:events`,
    dedupeKeyPrefix: `${prefix}:seen`,
    ...options,
  });
  const sink = redisStreamsSink.create(config, 'streams', context);
  sinks.push(sink);
  return sink;
}

/** Each entry's id and fields, in stream order. */
async function entries(stream: string): Promise<Array<{ entryId: string; fields: string[] }>> {
  return (await redis.xrange(stream, '-', '+')).map(([entryId, fields]) => ({ entryId, fields }));
}

async function streamIds(stream: string): Promise<string[]> {
  return (await entries(stream)).map((e) => e.fields[1]!);
}

function withType(events: readonly WorkOSEvent[], type: (i: number) => string): WorkOSEvent[] {
  return events.map((e, i) => ({ ...e, event: type(i) }));
}

beforeAll(async () => {
  redis = await redisClient();
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  prefix = `wes-test:redis-streams:${randomUUID()}`;
  sinks = [];
});

afterEach(async () => {
  for (const sink of sinks) await sink.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

describe('redis_streams sink', () => {
  it('adds one entry per event with exactly the fields id, event, created_at and payload, in order', async () => {
    const sink = sinkWith();
    const page = samplePage(20, 11);
    await sink.write(page);
    const written = await entries(`${prefix}:events`);
    expect(written.map((e) => e.fields)).toEqual(page.events.map((e) => ['id', e.id, 'event', e.event, 'created_at', e.created_at, 'payload', JSON.stringify(e)]));
    // The payload is the event exactly as WorkOS sent it, unknown fields included.
    const odd = { ...page.events[0]!, id: 'event_01ODD', event: 'brand_new.event_type', future_field: { nested: [1, 'two'] } };
    await sink.write({ events: [odd] });
    expect(JSON.parse((await entries(`${prefix}:events`)).at(-1)!.fields[7]!)).toEqual(odd);
  });

  it('routes events to one stream per event type with {event}, each stream in page order', async () => {
    const sink = sinkWith({ stream: `${prefix}:events:{event}` });
    const events = withType(samplePage(9, 12).events, (i) => ['user.created', 'dsync.user.updated', 'organization.created'][i % 3]!);
    await sink.write({ events });
    for (const type of ['user.created', 'dsync.user.updated', 'organization.created']) {
      expect(await streamIds(`${prefix}:events:${type}`)).toEqual(events.filter((e) => e.event === type).map((e) => e.id));
    }
    expect(await redis.exists(`${prefix}:events`)).toBe(0);
  });

  it('fills {organization_id} from data.organization_id, and "none" for events without one', async () => {
    const sink = sinkWith({ stream: `${prefix}:org:{organization_id}:{event}` });
    const [a, b, c] = samplePage(3, 13).events;
    const events = [
      { ...a!, event: 'dsync.user.created', data: { organization_id: 'org_01ACME' } },
      { ...b!, event: 'user.created', data: { id: 'user_1' } },
      { ...c!, event: 'dsync.user.created', data: { organization_id: 'org_01GLOBEX' } },
    ];
    await sink.write({ events });
    expect(await streamIds(`${prefix}:org:org_01ACME:dsync.user.created`)).toEqual([events[0]!.id]);
    expect(await streamIds(`${prefix}:org:none:user.created`)).toEqual([events[1]!.id]);
    expect(await streamIds(`${prefix}:org:org_01GLOBEX:dsync.user.created`)).toEqual([events[2]!.id]);
  });

  it('trims each stream to about maxLen entries (MAXLEN ~), keeping the newest', async () => {
    const sink = sinkWith({ maxLen: 10 });
    const page = samplePage(300, 14);
    for (let i = 0; i < 300; i += 100) await sink.write({ events: page.events.slice(i, i + 100) });
    const length = await redis.xlen(`${prefix}:events`);
    // "~" lets Redis trim whole nodes only (100 entries each by default): at least maxLen remain.
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(300);
    expect(await streamIds(`${prefix}:events`)).toEqual(page.events.slice(-length).map((e) => e.id));
    const untrimmed = sinkWith({ stream: `${prefix}:all` });
    await untrimmed.write(page);
    expect(await redis.xlen(`${prefix}:all`)).toBe(300);
  });

  it('adds nothing when a page is replayed, and only the missing entries when part of it was written', async () => {
    const sink = sinkWith();
    const page = samplePage(12, 15);
    await sink.write(page);
    await sink.write(page);
    expect(await streamIds(`${prefix}:events`)).toEqual(page.events.map((e) => e.id));

    // A crash after the first 5 appends: the replay of the whole page adds the other 7, in order.
    const next = samplePage(12, 16);
    await sink.write({ events: next.events.slice(0, 5) });
    await sinkWith().write(next);
    expect(await streamIds(`${prefix}:events`)).toEqual([...page.events, ...next.events].map((e) => e.id));
  });

  it('records no id for an event whose append failed, so the replay adds exactly that one', async () => {
    const sink = sinkWith({ stream: `${prefix}:events:{event}` });
    const events = withType(samplePage(6, 17).events, (i) => (i === 3 ? 'broken.type' : 'user.created'));
    await redis.set(`${prefix}:events:broken.type`, 'not a stream');
    await expect(sink.write({ events })).rejects.toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false, cause: expect.any(ReplyError) });
    expect(await streamIds(`${prefix}:events:user.created`)).toEqual(events.filter((_, i) => i !== 3).map((e) => e.id));
    expect(await redis.exists(`${prefix}:seen:${prefix}:events:broken.type:${events[3]!.id}`)).toBe(0);

    await redis.del(`${prefix}:events:broken.type`);
    await sink.write({ events });
    expect(await streamIds(`${prefix}:events:broken.type`)).toEqual([events[3]!.id]);
    expect(await redis.xlen(`${prefix}:events:user.created`)).toBe(5);
  });

  it('remembers each id for dedupeTtlSeconds (7 days by default) in a key holding its entry id', async () => {
    const sink = sinkWith();
    const [event] = samplePage(1, 18).events;
    await sink.write({ events: [event!] });
    const key = `${prefix}:seen:${prefix}:events:${event!.id}`;
    const [entry] = await entries(`${prefix}:events`);
    expect(await redis.get(key)).toBe(entry!.entryId);
    const ttlMs = await redis.pttl(key);
    expect(ttlMs).toBeGreaterThan(604_800_000 - 60_000);
    expect(ttlMs).toBeLessThanOrEqual(604_800_000);
  });

  it('adds an event again once its id has expired: a replay older than the TTL is not deduplicated', async () => {
    const sink = sinkWith({ dedupeTtlSeconds: 1 });
    const [event] = samplePage(1, 19).events;
    await sink.write({ events: [event!] });
    const key = `${prefix}:seen:${prefix}:events:${event!.id}`;
    const ttlMs = await redis.pttl(key);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(1_000);
    await sink.write({ events: [event!] });
    expect(await redis.xlen(`${prefix}:events`)).toBe(1);
    for (let i = 0; i < 40 && (await redis.exists(key)) === 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await redis.exists(key)).toBe(0);
    await sink.write({ events: [event!] });
    expect(await streamIds(`${prefix}:events`)).toEqual([event!.id, event!.id]);
  });

  it('treats ids of different streams apart, so two sinks sharing a Redis both get every event', async () => {
    const page = samplePage(4, 20);
    await sinkWith({ stream: `${prefix}:a` }).write(page);
    await sinkWith({ stream: `${prefix}:b` }).write(page);
    expect(await streamIds(`${prefix}:a`)).toEqual(page.events.map((e) => e.id));
    expect(await streamIds(`${prefix}:b`)).toEqual(page.events.map((e) => e.id));
  });

  it('fails fast as retryable when Redis refuses the connection, and probe says so', async () => {
    const server = await TestRedisServer.start();
    const url = server.url;
    await server.stop();
    const sink = sinkWith({ connectTimeoutMs: 1_000 }, url);
    const started = Date.now();
    await expect(sink.write(samplePage(2, 21))).rejects.toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    await expect(sink.probe()).rejects.toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('fails as retryable within the timeouts when the server accepts but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const sink = sinkWith({ connectTimeoutMs: 500, commandTimeoutMs: 500 }, `redis://127.0.0.1:${port}`);
      const started = Date.now();
      await expect(sink.write(samplePage(2, 22))).rejects.toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
      expect(Date.now() - started).toBeLessThan(5_000);
      await sink.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('keeps working after Redis restarts empty of scripts (NOSCRIPT is handled by re-sending the script)', async () => {
    const server = await TestRedisServer.start();
    try {
      const sink = sinkWith({}, server.url);
      const page = samplePage(6, 23);
      await sink.write({ events: page.events.slice(0, 3) });
      const admin = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await admin.connect();
      await admin.script('FLUSH');
      await sink.write(page);
      expect((await admin.xrange(`${prefix}:events`, '-', '+')).map(([, f]) => f[1])).toEqual(page.events.map((e) => e.id));
      await admin.quit();
      await sink.close();
    } finally {
      await server.stop();
    }
  });

  it('reconnects after close when written to again', async () => {
    const sink = sinkWith();
    const page = samplePage(4, 24);
    await sink.open();
    await sink.write({ events: page.events.slice(0, 2) });
    await sink.close();
    await sink.close();
    await sink.write(page);
    await sink.probe();
    expect(await streamIds(`${prefix}:events`)).toEqual(page.events.map((e) => e.id));
  });

  it('classifies Redis reply errors by their code: transient states retry, the rest are rejected', () => {
    for (const code of ['LOADING', 'BUSY', 'TRYAGAIN', 'MASTERDOWN', 'READONLY', 'OOM', 'CLUSTERDOWN', 'NOREPLICAS', 'MISCONF']) {
      expect(isRetryableRedisError(new ReplyError(`${code} the server says wait`)), code).toBe(true);
    }
    for (const code of ['WRONGTYPE', 'ERR', 'NOSCRIPT', 'NOAUTH', 'WRONGPASS', 'NOPERM']) {
      expect(isRetryableRedisError(new ReplyError(`${code} the server says no`)), code).toBe(false);
    }
    expect(isRetryableRedisError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it('validates its config: URL scheme, known placeholders, positive numbers, defaults', () => {
    const parse = (extra: Record<string, unknown>) => redisStreamsSinkConfigSchema.safeParse({ type: 'redis_streams', url: 'redis://127.0.0.1:6379', ...extra });
    expect(parse({}).data).toMatchObject({ stream: 'workos:events', dedupeTtlSeconds: 604_800, dedupeKeyPrefix: 'workos-events-sync:redis-streams:seen', connectTimeoutMs: 5_000, commandTimeoutMs: 5_000 });
    expect(parse({}).data?.maxLen).toBeUndefined();
    expect(parse({ url: 'rediss://:secret@redis.example.com:6380' }).success).toBe(true);
    expect(parse({ url: 'http://127.0.0.1:6379' }).success).toBe(false);
    expect(parse({ stream: 'workos:{event}:{organization_id}' }).success).toBe(true);
    expect(parse({ stream: 'workos:{type}' }).error?.issues[0]?.message).toBe('expected only the placeholders {event} and {organization_id}');
    expect(parse({ maxLen: 0 }).success).toBe(false);
    expect(parse({ dedupeTtlSeconds: 1.5 }).success).toBe(false);
    expect(parse({ streams: 'x' }).success).toBe(false);
  });
});
