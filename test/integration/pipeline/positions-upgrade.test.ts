import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCursorStore } from '../../../src/cursor/file-cursor-store.js';
import { serializeCursor, type Cursor } from '../../../src/cursor/cursor-store.js';
import { RedisCursorStore } from '../../../src/cursor/redis-cursor-store.js';
import { seedBacklog } from '../../fakes/seed-backlog.js';
import { readJsonl, REDIS_URL, testConfig, testDaemon } from '../../support/harness.js';
import { useWorld } from '../../support/world.js';

const w = useWorld();
const ALL = { events: [], organizationId: null };

function config(dir: string, cursor: Record<string, unknown> = { store: 'redis', url: REDIS_URL, key: w.cursorKey }) {
  return testConfig(w.fake, {
    cursor,
    sinks: [{ type: 'jsonl', name: 'a', path: join(dir, 'a.jsonl') }, { type: 'jsonl', name: 'b', path: join(dir, 'b.jsonl') }],
    leader: { key: `${w.cursorKey}:leader` },
    rateLimit: { requestsPerMinute: 6000, shared: false },
    pageSize: 10,
  });
}

async function drainOnce(cfg: ReturnType<typeof config>) {
  const t = testDaemon(cfg);
  await t.daemon.open();
  try {
    return await t.daemon.drainOnce();
  } finally {
    await t.daemon.stop();
  }
}

const positionOf = (c: Cursor | undefined | null) => c?.id ?? null;

describe('positions across versions', () => {
  it('gives every sink the single cursor an older version left, and keeps that key as the slowest sink\'s, moved only forwards', async () => {
    seedBacklog(w.fake, 50, { seed: 71 });
    const events = w.fake.events;
    // What an older version wrote: one cursor, in its format, for every sink.
    await w.redis.set(w.cursorKey, serializeCursor({ id: events[19]!.id, createdAt: events[19]!.created_at, filter: ALL }, new Date()));
    const result = await drainOnce(config(w.dir));
    expect(result.sinks.a!.events).toBe(30);
    expect(result.sinks.b!.events).toBe(30);
    expect((await readJsonl(join(w.dir, 'a.jsonl'))).map((e) => e.id)).toEqual(events.slice(20).map((e) => e.id));
    const store = new RedisCursorStore({ redis: w.redis, key: w.cursorKey, where: 'test' });
    const positions = await store.read();
    expect(positionOf(positions.sinks?.get('a'))).toBe(events.at(-1)!.id);
    expect(positionOf(positions.deployment)).toBe(events.at(-1)!.id);

    // An older instance takes the lease during a rolling deploy and moves the old key on by itself:
    // the per-sink positions stay (no sink moves backwards), the newer version does not pull the key back.
    seedBacklog(w.fake, 20, { seed: 72 });
    const later = w.fake.events;
    await w.redis.set(w.cursorKey, serializeCursor({ id: later[59]!.id, createdAt: later[59]!.created_at, filter: ALL }, new Date()));
    const again = await drainOnce(config(w.dir));
    expect(again.sinks.a!.events).toBe(20);
    const after = await store.read();
    expect(positionOf(after.sinks?.get('b'))).toBe(later.at(-1)!.id);
    expect(positionOf(after.deployment)).toBe(later.at(-1)!.id);
  });

  it('starts a sink added later from its own startFrom once the store holds per-sink positions', async () => {
    seedBacklog(w.fake, 30, { seed: 73 });
    const cfg = config(w.dir);
    await drainOnce(testConfig(w.fake, { ...cfg, sinks: [{ type: 'jsonl', name: 'a', path: join(w.dir, 'a.jsonl') }] }));
    const result = await drainOnce(testConfig(w.fake, {
      ...cfg,
      sinks: [{ type: 'jsonl', name: 'a', path: join(w.dir, 'a.jsonl') }, { type: 'jsonl', name: 'b', path: join(w.dir, 'b.jsonl'), startFrom: 'now' }],
    }));
    expect(result.sinks.a!.events).toBe(0);
    expect(result.sinks.b!.events).toBe(0);
    seedBacklog(w.fake, 5, { seed: 74 });
    await drainOnce(testConfig(w.fake, {
      ...cfg,
      sinks: [{ type: 'jsonl', name: 'a', path: join(w.dir, 'a.jsonl') }, { type: 'jsonl', name: 'b', path: join(w.dir, 'b.jsonl'), startFrom: 'now' }],
    }));
    expect(await readJsonl(join(w.dir, 'b.jsonl'))).toHaveLength(5);
    expect(await readJsonl(join(w.dir, 'a.jsonl'))).toHaveLength(35);
  });

  it('reads a cursor file an older version wrote as every sink\'s position', async () => {
    seedBacklog(w.fake, 25, { seed: 75 });
    const path = join(w.dir, 'cursor.json');
    const e = w.fake.events[9]!;
    await writeFile(path, serializeCursor({ id: e.id, createdAt: e.created_at, filter: ALL }, new Date()));
    const result = await drainOnce(config(w.dir, { store: 'file', path }));
    expect(result.sinks.a!.events).toBe(15);
    expect(result.sinks.b!.events).toBe(15);
    const positions = await new FileCursorStore(path).read();
    expect(positionOf(positions.sinks?.get('b'))).toBe(w.fake.events.at(-1)!.id);
    expect(positionOf(positions.deployment)).toBe(w.fake.events.at(-1)!.id);
  });
});
