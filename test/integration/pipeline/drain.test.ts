import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cursor } from '../../../src/cursor/cursor-store.js';
import { WesError } from '../../../src/errors.js';
import type { Sink, SinkPage } from '../../../src/sinks/sink.js';
import { seedBacklog } from '../../fakes/seed-backlog.js';
import { readJsonl, REDIS_URL, testConfig, testDaemon } from '../../support/harness.js';
import { keysMatching } from '../../support/redis-keys.js';
import { useWorld } from '../../support/world.js';

const w = useWorld();

function config(overrides: Record<string, unknown> = {}) {
  return testConfig(w.fake, {
    cursor: { store: 'redis', url: REDIS_URL, key: w.cursorKey },
    sinks: [{ type: 'jsonl', path: w.eventsFile }],
    leader: { key: `${w.cursorKey}:leader` },
    // The clock and sleeps are fake here: a budget that must refill by that clock would never let go.
    rateLimit: { requestsPerMinute: 6000, shared: false },
    ...overrides,
  });
}

const storedCursor = () => w.storedCursor();

async function drainWith(cfg = config(), extra = {}) {
  const t = testDaemon(cfg, extra);
  await t.daemon.open();
  try {
    return { ...t, result: await t.daemon.drainOnce() };
  } finally {
    await t.daemon.stop();
  }
}

/** A sink that fails the first `failures` writes with the given error, then accepts. */
function flakySink(failures: number, error: () => Error): Sink & { pages: SinkPage[]; open: () => Promise<void> } {
  let calls = 0;
  const pages: SinkPage[] = [];
  return {
    name: 'flaky',
    type: 'test',
    pages,
    open: async () => undefined,
    probe: async () => undefined,
    close: async () => undefined,
    write: async (page) => {
      calls++;
      if (calls <= failures) throw error();
      pages.push(page);
    },
  };
}

describe('drain', () => {
  it('delivers a backlog in order, each event once, across runs and restarts', async () => {
    seedBacklog(w.fake, 1500, { seed: 7 });
    const first = await drainWith();
    expect(first.result).toMatchObject({ events: 1500, pages: 15, stopped: false });
    seedBacklog(w.fake, 1234, { seed: 8 });
    const second = await drainWith();
    expect(second.result.events).toBe(1234);
    const third = await drainWith();
    expect(third.result.events).toBe(0);

    const written = await readJsonl(w.eventsFile);
    expect(written.map((e) => e.id)).toEqual(w.fake.events.map((e) => e.id));
    const last = w.fake.events.at(-1)!;
    expect(await storedCursor()).toEqual({ id: last.id, createdAt: last.created_at, filter: { events: [], organizationId: null } });
  });

  it('writes every event exactly as WorkOS sent it, unknown types included', async () => {
    w.fake.addEvent('widget.frobnicated', { id: 'w_1', object: 'widget', nested: { deep: [1, 'two', null] }, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' });
    seedBacklog(w.fake, 20);
    await drainWith();
    const served = (await (await fetch(`${w.fake.url}/events?order=asc&limit=100`, { headers: { authorization: 'Bearer sk_test_fake' } })).json()) as { data: unknown[] };
    const written = await readJsonl(w.eventsFile);
    expect(written).toEqual(served.data);
    expect(written[0]!.event).toBe('widget.frobnicated');
  });

  it('writes only the types a sink asks for, each as WorkOS sent it, and a held-back prefix of a page as its own events', async () => {
    seedBacklog(w.fake, 250, { seed: 12 });
    const served = (await (await fetch(`${w.fake.url}/events?order=asc&limit=100`, { headers: { authorization: 'Bearer sk_test_fake' } })).json()) as { data: Array<{ event: string }> };
    const types = [...new Set(served.data.map((e) => e.event))].slice(0, 2);
    const filtered = join(w.dir, 'filtered.jsonl');
    await drainWith(config({ sinks: [{ type: 'jsonl', path: w.eventsFile }, { type: 'jsonl', name: 'some', path: filtered, events: types }] }));
    const all = await readJsonl(w.eventsFile);
    expect(all).toHaveLength(250);
    expect(await readJsonl(filtered)).toEqual(all.filter((e) => types.includes(e.event as string)));
  });

  it('asks for order=asc, the page size, the filters and the cursor on every request', async () => {
    seedBacklog(w.fake, 30, { seed: 3 });
    w.fake.addEvent('user.created', { id: 'user_0', organization_id: 'org_x' }, { organizationId: 'org_x' });
    const types = ['user.created', 'dsync.user.created'];
    await drainWith(config({ pageSize: 5, events: types, organizationId: 'org_x' }));
    w.fake.clearRequests();
    w.fake.addEvent('user.created', { id: 'user_1', organization_id: 'org_x' }, { organizationId: 'org_x' });
    await drainWith(config({ pageSize: 5, events: types, organizationId: 'org_x' }));
    const query = w.fake.requests[0]!.query;
    expect(query.get('order')).toBe('asc');
    expect(query.get('limit')).toBe('5');
    expect(query.get('events')).toBe('user.created,dsync.user.created');
    expect(query.get('organization_id')).toBe('org_x');
    expect(query.get('after')).toBeTruthy();
  });

  it('waits what Retry-After says on a 429, then retries the same request', async () => {
    seedBacklog(w.fake, 150);
    w.fake.script({ kind: 'passthrough' }, { status: 429, json: { message: 'Rate limit exceeded' }, headers: { 'Retry-After': '7' } });
    const { waits, logs, result } = await drainWith();
    expect(result.events).toBe(150);
    expect(waits).toEqual([7000]);
    const afters = w.fake.requests.map((r) => r.query.get('after'));
    expect(afters[1]).toBe(afters[2]);
    expect(logs.find((l) => l.level === 40 && l.delayMs === 7000)?.msg).toMatch(/rate limited/);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    seedBacklog(w.fake, 5);
    const at = new Date(Date.now() + 20_000).toUTCString();
    w.fake.script({ status: 429, json: { message: 'slow down' }, headers: { 'Retry-After': at } });
    const { waits } = await drainWith();
    expect(waits[0]).toBeGreaterThan(15_000);
    expect(waits[0]).toBeLessThanOrEqual(20_000);
  });

  it('retries network errors, 5xx and an HTML 502 with backoff, delivering everything once', async () => {
    seedBacklog(w.fake, 250, { seed: 4 });
    w.fake.script(
      { kind: 'reset' },
      { status: 502, html: '<html><body>Bad Gateway</body></html>' },
      { kind: 'passthrough' },
      { status: 500, json: { message: 'Internal Server Error' } },
      { status: 503, json: { message: 'Service Unavailable' } },
    );
    const { waits, result } = await drainWith();
    expect(result.events).toBe(250);
    expect(waits).toEqual([250, 500, 250, 500]);
    const written = await readJsonl(w.eventsFile);
    expect(written.map((e) => e.id)).toEqual(w.fake.events.map((e) => e.id));
  });

  it('gives up after retry.maxAttempts and leaves the cursor where it was', async () => {
    seedBacklog(w.fake, 150);
    w.fake.script({ kind: 'passthrough' }, ...Array.from({ length: 3 }, () => ({ status: 502, html: '<html>down</html>' })));
    const t = testDaemon(config({ retry: { maxAttempts: 3 } }));
    await t.daemon.open();
    await expect(t.daemon.drainOnce()).rejects.toMatchObject({ code: 'WES_ERR_WORKOS_UNAVAILABLE', retryable: true });
    await t.daemon.stop();
    expect((await storedCursor())?.id).toBe(w.fake.events[99]!.id);
    expect(await readJsonl(w.eventsFile)).toHaveLength(100);
  });

  it('stops at a 401 with a reason about the key, delivering nothing', async () => {
    seedBacklog(w.fake, 10);
    w.fake.apiKey = 'sk_test_other';
    const t = testDaemon(config());
    await t.daemon.open();
    const err = (await t.daemon.drainOnce().catch((e: unknown) => e)) as WesError;
    await t.daemon.stop();
    expect(err).toMatchObject({ code: 'WES_ERR_WORKOS_UNAUTHORIZED', retryable: false, isConfigProblem: true });
    expect(err.message).toMatch(/WORKOS_API_KEY is wrong, revoked, or from another environment; the network is fine/);
    expect(t.waits).toEqual([]);
    expect(await readJsonl(w.eventsFile)).toEqual([]);
    expect(await storedCursor()).toBeNull();
  });

  it('stops at a 422 for an unknown filter type and names the field', async () => {
    const t = testDaemon(config({ events: ['user.createdd'] }));
    await t.daemon.open();
    const err = (await t.daemon.drainOnce().catch((e: unknown) => e)) as WesError;
    await t.daemon.stop();
    expect(err).toMatchObject({ code: 'WES_ERR_WORKOS_REJECTED', isConfigProblem: true });
    expect(err.message).toMatch(/^WorkOS refused the request \(422\): .*invalid_event_type.*; check "events" and "organizationId" in the config$/);
  });

  it.each([
    [400, { message: 'Invalid cursor' }, 'WES_ERR_WORKOS_REJECTED', /\(400\): Invalid cursor; if it names the cursor/],
    [403, { message: 'Forbidden' }, 'WES_ERR_WORKOS_FORBIDDEN', /403 for \/events: this API key may not read it/],
    [404, { message: 'Not Found' }, 'WES_ERR_WORKOS_REJECTED', /404 for \/events: is workos\.baseUrl/],
  ])('stops at a %i without retrying, delivering nothing', async (status, json, code, message) => {
    seedBacklog(w.fake, 10);
    w.fake.script({ status, json });
    const t = testDaemon(config());
    await t.daemon.open();
    const err = (await t.daemon.drainOnce().catch((e: unknown) => e)) as WesError;
    await t.daemon.stop();
    expect(err).toMatchObject({ code, retryable: false, isConfigProblem: true });
    expect(err.message).toMatch(message);
    expect(t.waits).toEqual([]);
    expect(await storedCursor()).toBeNull();
  });

  it('retries a 408 and a client-side timeout', async () => {
    seedBacklog(w.fake, 10);
    w.fake.script({ status: 408, json: { message: 'Request Timeout' } }, { kind: 'delay', ms: 1500 });
    const { waits, result } = await drainWith(config({ workos: { baseUrl: w.fake.url, timeoutMs: 1000 } }));
    expect(waits).toHaveLength(2);
    expect(result.events).toBe(10);
  });

  it('retries a malformed page and never delivers it', async () => {
    seedBacklog(w.fake, 10);
    w.fake.script(
      { kind: 'body', status: 200, body: '{"object":"list","data":[{"id":"event_x"}]}' },
      { kind: 'body', status: 200, body: '<html>maintenance</html>', contentType: 'text/html' },
    );
    const { waits, result } = await drainWith();
    expect(waits).toHaveLength(2);
    expect(result.events).toBe(10);
    const written = await readJsonl(w.eventsFile);
    expect(written.map((e) => e.id)).toEqual(w.fake.events.map((e) => e.id));
  });

  it('refuses pages from a server that ignores the cursor, delivering nothing and keeping the cursor', async () => {
    seedBacklog(w.fake, 120, { seed: 2 });
    await drainWith();
    const before = await storedCursor();
    seedBacklog(w.fake, 5, { seed: 9 });
    w.fake.ignoreCursor = true;
    const t = testDaemon(config());
    await t.daemon.open();
    await expect(t.daemon.drainOnce()).rejects.toMatchObject({ code: 'WES_ERR_ORDER_VIOLATION' });
    await t.daemon.stop();
    expect(await storedCursor()).toEqual(before);
    expect(await readJsonl(w.eventsFile)).toHaveLength(120);
  });

  it('retries a failing sink and commits only after it accepted the page', async () => {
    seedBacklog(w.fake, 30);
    const sink = flakySink(2, () => new WesError('WES_ERR_SINK_UNAVAILABLE', 'down', { retryable: true }));
    const { waits, result } = await drainWith(config(), { sinks: [sink] });
    expect(result.events).toBe(30);
    expect(waits).toHaveLength(2);
    expect(sink.pages.flatMap((p) => p.events.map((e) => e.id))).toEqual(w.fake.events.map((e) => e.id));
  });

  it('keeps the cursor when a sink rejects a page, and delivers it on the next drain', async () => {
    seedBacklog(w.fake, 30);
    const sink = flakySink(1, () => new WesError('WES_ERR_SINK_REJECTED', 'refused'));
    const t = testDaemon(config(), { sinks: [sink] });
    await t.daemon.open();
    await expect(t.daemon.drainOnce()).rejects.toMatchObject({ code: 'WES_ERR_SINK_REJECTED' });
    expect(await storedCursor()).toBeNull();
    expect((await t.daemon.drainOnce()).events).toBe(30);
    await t.daemon.stop();
    expect(sink.pages.flatMap((p) => p.events.map((e) => e.id))).toEqual(w.fake.events.map((e) => e.id));
  });

  it('goes on when a sink is unreachable at start: the sink opens itself with its first page, instead of giving up', async () => {
    seedBacklog(w.fake, 20);
    const sink = flakySink(0, () => new Error('unused'));
    let opens = 0;
    let opened = false;
    sink.open = async () => {
      if (++opens === 1) throw new WesError('WES_ERR_SINK_UNAVAILABLE', 'database starting', { retryable: true });
      opened = true;
    };
    // The contract: write opens the sink when it is not open.
    const write = sink.write.bind(sink);
    sink.write = async (page) => {
      if (!opened) await sink.open();
      await write(page);
    };
    const { result } = await drainWith(config(), { sinks: [sink] });
    expect(opens).toBe(2);
    expect(result.events).toBe(20);
  });

  it('retries a cursor commit that fails, without skipping or repeating the page', async () => {
    seedBacklog(w.fake, 30);
    const { FileCursorStore } = await import('../../../src/cursor/file-cursor-store.js');
    const store = new FileCursorStore(join(w.dir, 'cursor.json'));
    let failures = 2;
    const flaky = Object.assign(Object.create(store) as typeof store, {
      commit: async (sink: string, cursor: Cursor, fence?: undefined, deployment?: Cursor) => {
        if (failures-- > 0) throw new WesError('WES_ERR_CURSOR_STORE_UNAVAILABLE', 'gone', { retryable: true });
        return store.commit(sink, cursor, fence, deployment);
      },
    });
    const { waits, result } = await drainWith(config(), { cursorStore: flaky });
    expect(result.events).toBe(30);
    expect(waits).toHaveLength(2);
    expect((await store.get())?.id).toBe(w.fake.events.at(-1)!.id);
    expect(await readJsonl(w.eventsFile)).toHaveLength(30);
  });

  it('fetches the next page while the sinks write this one', async () => {
    seedBacklog(w.fake, 250);
    w.fake.latencyMs = 20;
    let overlapped = 0;
    const sink: Sink = {
      name: 'slow', type: 'test',
      open: async () => undefined, probe: async () => undefined, close: async () => undefined,
      write: async () => {
        const requestsBefore = w.fake.requests.length;
        // Hold the page until the pager's next request has reached the server (or give up).
        for (let i = 0; i < 100 && w.fake.requests.length === requestsBefore; i++) await new Promise((r) => setTimeout(r, 5));
        if (w.fake.requests.length > requestsBefore) overlapped++;
      },
    };
    const { result } = await drainWith(config(), { sinks: [sink] });
    expect(result.events).toBe(250);
    // Pages 1 and 2 are full, so their successors were prefetched; page 3 is short: nothing follows it.
    expect(overlapped).toBe(2);
  });

  it('pins startFrom "now" in the cursor store, so a restart does not skip what happened in between', async () => {
    seedBacklog(w.fake, 10, { start: '2026-01-01T00:00:00Z' });
    const now = Date.parse('2026-02-01T00:00:00Z');
    const first = await drainWith(config({ startFrom: 'now' }), { now: () => now });
    expect(first.result.events).toBe(0);
    expect(await storedCursor()).toMatchObject({ id: null, createdAt: '2026-02-01T00:00:00.000Z' });
    w.fake.addEvent('user.created', { id: 'user_late' }, { createdAt: '2026-02-02T00:00:00Z' });
    const second = await drainWith(config({ startFrom: 'now' }), { now: () => now + 86_400_000 * 2 });
    expect(second.result.events).toBe(1);
    expect(w.fake.requests.at(-1)!.query.get('range_start')).toBe('2026-02-01T00:00:00.000Z');
    expect(await storedCursor()).toMatchObject({ id: w.fake.events.at(-1)!.id, createdAt: w.fake.events.at(-1)!.created_at });
  });

  it('stops a page when the lease ran out mid-page by the process\'s own clock: nothing is retried, dead-lettered or committed', async () => {
    seedBacklog(w.fake, 20, { seed: 9 });
    const written: string[] = [];
    // A sink that sends one request per event, like the http sink's event mode; the first request
    // blocks the event loop past the lease, as a SIGSTOP or a long GC pause would.
    const stalling: Sink = {
      name: 'stalling',
      type: 'test',
      open: async () => undefined,
      probe: async () => undefined,
      close: async () => undefined,
      write: async (page) => {
        for (const [i, event] of page.events.entries()) {
          if (i > 0) page.beforeRequest?.();
          written.push(event.id);
          if (i === 0) {
            const until = performance.now() + 1_100;
            while (performance.now() < until) { /* paused */ }
          }
        }
      },
    };
    const cfg = config({ leader: { key: `${w.cursorKey}:leader`, ttlMs: 1_000, renewIntervalMs: 300 }, sinks: [{ type: 'jsonl', path: w.eventsFile, onFailure: 'dead-letter' }], deadLetter: { keyPrefix: `${w.cursorKey}:dlq` } });
    const t = testDaemon(cfg, { sinks: [stalling] });
    await t.daemon.open();
    try {
      await expect(t.daemon.drainOnce()).rejects.toMatchObject({ code: 'WES_ERR_LEASE_LOST' });
    } finally {
      await t.daemon.stop();
    }
    expect(written).toEqual([w.fake.events[0]!.id]);
    expect(await keysMatching(w.redis, `${w.cursorKey}:dlq*`)).toEqual([]);
    expect(t.logs.some((l) => String(l.msg).includes('retrying'))).toBe(false);
    expect((await storedCursor())?.id ?? null).toBeNull();
  });
});
