import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisDeadLetterStore } from '../../../src/dead-letter/redis-dead-letter-store.js';
import { WesError } from '../../../src/errors.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { REDIS_URL, redisClient } from '../../support/services.js';

const error = { code: 'WES_ERR_SINK_REJECTED', message: 'http sink: 422 Unprocessable Entity' };

function event(n: number, extra: Record<string, unknown> = {}): WorkOSEvent {
  return {
    object: 'event',
    id: `event_01HZ${String(n).padStart(22, '0')}`,
    event: 'dsync.user.updated',
    created_at: `2026-01-15T10:00:${String(n % 60).padStart(2, '0')}.123Z`,
    data: {
      object: 'directory_user',
      id: `directory_user_${n}`,
      organization_id: 'org_01HZACME',
      first_name: 'Zoë',
      emails: [{ primary: true, value: `zoe+${n}@acme.test` }],
      custom_attributes: { department: 'Engineering', manager: null },
    },
    context: { client_id: 'client_123' },
    future_field: { nested: [1, 2.5, 'three'] },
    ...extra,
  };
}

/**
 * Stream ids order entries of different sinks only by Redis's clock in ms, so tests that check the
 * order across sinks let one ms pass between adds (the pipeline's adds are far apart in practice).
 */
async function add(sink: string, events: WorkOSEvent[]): Promise<void> {
  await store.add(sink, events, error);
  await new Promise((resolve) => setTimeout(resolve, 2));
}

/** A clock that advances one second per call, from a fixed start. */
function steppingClock(start = Date.parse('2026-02-01T12:00:00.000Z')): () => Date {
  let t = start;
  return () => new Date((t += 1_000));
}

let redis: Redis;
let prefix: string;
let store: RedisDeadLetterStore;

beforeAll(async () => {
  redis = await redisClient();
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  prefix = `wes-test:${randomUUID()}:dlq`;
  store = new RedisDeadLetterStore(redis, { keyPrefix: prefix, now: steppingClock() });
});

afterEach(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
});

describe('RedisDeadLetterStore', () => {
  it('lists added events exactly as given, oldest first, with the error and the time they failed', async () => {
    const events = [event(1), event(2, { event: 'widget.frobnicated', data: {} }), event(3)];
    await store.add('crm-http', events, error);

    const letters = await store.list({ sink: 'crm-http' });

    expect(letters.map((l) => l.event)).toEqual(events);
    expect(letters.every((l) => l.sink === 'crm-http')).toBe(true);
    expect(letters.every((l) => l.errorCode === error.code && l.errorMessage === error.message)).toBe(true);
    expect(letters.every((l) => l.failedAt === '2026-02-01T12:00:01.000Z')).toBe(true);
    expect(new Set(letters.map((l) => l.entryId)).size).toBe(3);
  });

  it('keeps the event id, type and organization id as their own fields for people using redis-cli', async () => {
    await store.add('crm-http', [event(1), event(2, { data: { id: 'x' } })], error);

    const entries = await redis.xrange(`${prefix}:crm-http`, '-', '+');
    const fields = entries.map(([, flat]) => Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]]] : []))));

    expect(fields[0]).toMatchObject({ event_id: event(1).id, event_type: 'dsync.user.updated', organization_id: 'org_01HZACME', error_code: error.code });
    expect(JSON.parse(fields[0]!['event'] as string)).toEqual(event(1));
    expect(fields[1]).toMatchObject({ organization_id: '' });
  });

  it('lists one sink, or every sink merged oldest first', async () => {
    await add('a', [event(1)]);
    await add('b.v2', [event(2), event(3)]);
    await add('a', [event(4)]);

    const all = await store.list();
    const onlyB = await store.list({ sink: 'b.v2' });

    expect(all.map((l) => [l.sink, l.event.id])).toEqual([
      ['a', event(1).id],
      ['b.v2', event(2).id],
      ['b.v2', event(3).id],
      ['a', event(4).id],
    ]);
    expect(onlyB.map((l) => l.event.id)).toEqual([event(2).id, event(3).id]);
  });

  it('returns at most limit entries, the oldest ones, for one sink and across sinks', async () => {
    await add('a', [event(1), event(2)]);
    await add('b', [event(3)]);
    await add('a', [event(4)]);

    expect((await store.list({ sink: 'a', limit: 2 })).map((l) => l.event.id)).toEqual([event(1).id, event(2).id]);
    expect((await store.list({ limit: 3 })).map((l) => l.event.id)).toEqual([event(1).id, event(2).id, event(3).id]);
    expect(await store.list({ limit: 0 })).toEqual([]);
  });

  it('rejects a negative or fractional limit as a usage error', async () => {
    await expect(store.list({ limit: -1 })).rejects.toMatchObject({ code: 'WES_ERR_CONFIG' });
    await expect(store.list({ limit: 1.5 })).rejects.toMatchObject({ code: 'WES_ERR_CONFIG' });
  });

  it('removes only the given entries and reports how many it removed', async () => {
    await add('a', [event(1), event(2), event(3), event(4)]);
    await add('b', [event(5)]);
    const [first, second, third] = await store.list({ sink: 'a' });

    expect(await store.remove('a', [first!.entryId, third!.entryId])).toBe(2);
    expect(await store.remove('a', [first!.entryId])).toBe(0);
    expect(await store.remove('a', [])).toBe(0);

    expect((await store.list()).map((l) => l.event.id)).toEqual([second!.event.id, event(4).id, event(5).id]);
  });

  it('counts entries per sink and across sinks', async () => {
    await store.add('a', [event(1), event(2)], error);
    await store.add('b', [event(3)], error);

    expect(await store.count('a')).toBe(2);
    expect(await store.count('b')).toBe(1);
    expect(await store.count('never-failed')).toBe(0);
    expect(await store.count()).toBe(3);
  });

  it('records every event of a large page in one add', async () => {
    const events = Array.from({ length: 500 }, (_, i) => event(i));
    await store.add('bulk', events, error);

    expect(await store.count('bulk')).toBe(500);
    expect((await store.list({ sink: 'bulk' })).map((l) => l.event.id)).toEqual(events.map((e) => e.id));
  });

  it('names every sink that has or had dead letters', async () => {
    await store.add('zeta', [event(1)], error);
    await store.add('alpha_1', [event(2)], error);
    const [only] = await store.list({ sink: 'zeta' });
    await store.remove('zeta', [only!.entryId]);

    expect(await store.sinks()).toEqual(['alpha_1', 'zeta']);
  });

  it('writes nothing when given no events', async () => {
    await store.add('a', [], error);

    expect(await store.count()).toBe(0);
    expect(await store.sinks()).toEqual([]);
  });

  it('rejects with a retryable WES_ERR_DEAD_LETTER_UNAVAILABLE when Redis cannot be reached', async () => {
    const offline = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
    offline.on('error', () => undefined);
    try {
      const unreachable = new RedisDeadLetterStore(offline, { keyPrefix: prefix });
      const failure = await unreachable.add('a', [event(1), event(2)], error).catch((err: unknown) => err);

      expect(failure).toBeInstanceOf(WesError);
      expect(failure).toMatchObject({ code: 'WES_ERR_DEAD_LETTER_UNAVAILABLE', retryable: true });
      expect((failure as WesError).cause).toBeInstanceOf(Error);
      expect(await store.count()).toBe(0);
    } finally {
      offline.disconnect();
    }
  });

  it('reports a key that is not a stream as a failure a person must fix', async () => {
    await redis.set(`${prefix}:a`, 'not a stream');

    await expect(store.add('a', [event(1)], error)).rejects.toMatchObject({ code: 'WES_ERR_DEAD_LETTER_UNAVAILABLE', retryable: false });
  });

  it('refuses the sink name that the index set uses', async () => {
    await expect(store.add('sinks', [event(1)], error)).rejects.toMatchObject({ code: 'WES_ERR_CONFIG' });
  });

  it('lists an entry whose stored event is not JSON with a stand-in instead of throwing', async () => {
    await redis.xadd(`${prefix}:a`, '*', 'event_id', 'event_broken', 'event_type', 'user.created', 'event', '{"id": "event_broken", tru', 'error_code', 'E', 'error_message', 'm', 'failed_at', '2026-02-01T00:00:00.000Z');
    await redis.sadd(`${prefix}:sinks`, 'a');
    await add('a', [event(1)]);

    const [broken, fine] = await store.list();

    expect(broken!.event).toEqual({ id: 'event_broken', event: 'user.created', data: {}, created_at: '', raw: '{"id": "event_broken", tru' });
    expect(broken).toMatchObject({ errorCode: 'E', errorMessage: 'm', failedAt: '2026-02-01T00:00:00.000Z' });
    expect(fine!.event).toEqual(event(1));
  });

  it('describes where it writes without the Redis password', () => {
    const secret = new Redis('redis://user:s3cret-pass@127.0.0.1:6379/3', { lazyConnect: true });
    try {
      const described = new RedisDeadLetterStore(secret).description;

      expect(described).toBe('redis 127.0.0.1:6379/3 keys workos-events-sync:dlq:*');
      expect(described).not.toContain('s3cret');
    } finally {
      secret.disconnect();
    }
  });
});
