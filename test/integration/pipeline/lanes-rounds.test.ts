import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WesError } from '../../../src/errors.js';
import type { Sink, SinkPage } from '../../../src/sinks/sink.js';
import { seedBacklog } from '../../fakes/seed-backlog.js';
import { REDIS_URL, testConfig, testDaemon } from '../../support/harness.js';
import { useWorld } from '../../support/world.js';

const w = useWorld();

/** A sink that takes `delayMs` of real time per page and remembers every event it was given. */
function slowSink(name: string, delayMs: number): Sink & { ids: string[] } {
  const ids: string[] = [];
  return {
    name,
    type: 'test',
    ids,
    open: async () => undefined,
    probe: async () => undefined,
    close: async () => undefined,
    write: async (page: SinkPage) => {
      await new Promise((r) => setTimeout(r, delayMs));
      ids.push(...page.events.map((e) => e.id));
    },
  };
}

/** Two sinks, the second optionally after the first, on the Redis cursor without a lease. */
function twoSinks(first: Sink, second: Sink, secondExtra: Record<string, unknown> = {}) {
  const cfg = testConfig(w.fake, {
    cursor: { store: 'redis', url: REDIS_URL, key: w.cursorKey },
    sinks: [{ type: 'jsonl', name: first.name, path: join(w.dir, 'a.jsonl') }, { type: 'jsonl', name: second.name, path: join(w.dir, 'b.jsonl'), ...secondExtra }],
    leader: { enabled: false },
    rateLimit: { requestsPerMinute: 6000, shared: false },
    pageSize: 10,
  });
  return testDaemon(cfg, { sinks: [first, second] });
}

describe('lanes across rounds', () => {
  it('starts a sink that drains again within a round from where it got to, not from the round\'s first read of the store', async () => {
    seedBacklog(w.fake, 200, { seed: 81 });
    const fast = slowSink('fast', 0);
    const slow = slowSink('slow', 15);
    const t = twoSinks(fast, slow);
    await t.daemon.open();
    try {
      t.daemon.pipeline.trigger();
      // A second tick while the slow sink is mid-backlog: the fast one starts again and reads the
      // store; the slow one is queued behind its own drain and starts again after it.
      while (slow.ids.length < 50) await new Promise((r) => setTimeout(r, 5));
      t.daemon.pipeline.trigger();
      await t.daemon.pipeline.settled();
      await t.daemon.pipeline.settled();
    } finally {
      await t.daemon.stop();
    }
    const all = w.fake.events.map((e) => e.id);
    expect(fast.ids).toEqual(all);
    expect(slow.ids).toEqual(all);
  });

  it('stops a sink with "after" when its upstream failed before it even read its position, instead of spinning', async () => {
    seedBacklog(w.fake, 30, { seed: 82 });
    const upstream = slowSink('upstream', 0);
    // A sink keeping its own position whose database refuses the read: its lane fails at once.
    Object.assign(upstream, { positions: { read: async () => { throw new WesError('WES_ERR_SINK_REJECTED', 'permission denied for table positions'); }, set: async () => undefined } });
    const dependent = slowSink('dependent', 0);
    const t = twoSinks(upstream, dependent, { after: 'upstream' });
    await t.daemon.open();
    try {
      await expect(t.daemon.drainOnce()).rejects.toMatchObject({ code: 'WES_ERR_SINK_REJECTED' });
    } finally {
      await t.daemon.stop();
    }
    expect(dependent.ids).toEqual([]);
    expect(w.fake.requests.length).toBeLessThan(5);
  });

  it('hands a sink with "after" each event once in a drainOnce, as its upstream commits', async () => {
    seedBacklog(w.fake, 60, { seed: 83 });
    const upstream = slowSink('upstream', 5);
    const dependent = slowSink('dependent', 0);
    const t = twoSinks(upstream, dependent, { after: 'upstream' });
    await t.daemon.open();
    try {
      const result = await t.daemon.drainOnce();
      expect(result.sinks.dependent!.events).toBe(60);
      await t.daemon.pipeline.settled();
    } finally {
      await t.daemon.stop();
    }
    const all = w.fake.events.map((e) => e.id);
    expect(upstream.ids).toEqual(all);
    expect(dependent.ids).toEqual(all);
  });
});
