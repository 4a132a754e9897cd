import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli, spawnCli, type CliProcess } from '../support/cli-process.js';
import { readJsonl, uniqueInOrder, waitForEvents } from '../support/harness.js';
import { TestRedisServer } from '../support/redis-server.js';
import { useWorld } from '../support/world.js';

const FAST_RETRY = { maxAttempts: 2, minDelayMs: 20, maxDelayMs: 200 };
const w = useWorld({ pageSize: 50, schedule: '* * * * * *', leader: { ttlMs: 1000, renewIntervalMs: 300 } });
const running: CliProcess[] = [];
const ownRedis: TestRedisServer[] = [];

function start(args: string[], env: Record<string, string> = w.env): CliProcess {
  const p = spawnCli(args, env);
  running.push(p);
  return p;
}

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
  for (const r of ownRedis.splice(0)) await r.stop();
});

describe('faults', () => {
  it('keeps going through a Redis restart and delivers every event', async () => {
    const redis = await TestRedisServer.start();
    ownRedis.push(redis);
    await w.writeConfig({ pageSize: 50, schedule: '* * * * * *', leader: { ttlMs: 1000, renewIntervalMs: 300 }, cursor: { store: 'redis', url: redis.url, key: w.cursorKey } });
    seedBacklog(w.fake, 3000, { seed: 31 });
    w.fake.latencyMs = 30;
    const p = start(['run', '--config', w.configPath]);
    await waitForEvents(w.eventsFile, 300, 10_000);
    await redis.stop();
    await p.waitForLog(/lost the connection to Redis|retrying after a failure: commit the cursor|cannot reach Redis/, 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    await redis.restart();
    const deadline = Date.now() + 30_000;
    while (uniqueInOrder(await readJsonl(w.eventsFile)).ids.length < 3000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const written = await readJsonl(w.eventsFile);
    expect(uniqueInOrder(written).ids).toEqual(w.fake.events.map((e) => e.id));
    // The restarted Redis came back empty: the daemon put back the cursor it had committed instead of starting over.
    expect(p.stderr()).toMatch(/restor(ing|ed) the freshest cursor/);
    expect(written.length - 3000).toBeLessThanOrEqual(100);
  });

  it('halts a sink that keeps failing while the other sink goes on: its cursor stays, readiness and metrics say so', async () => {
    await w.writeConfig({
      pageSize: 50,
      retry: FAST_RETRY,
      sinks: [{ type: 'jsonl', name: 'archive', path: w.eventsFile }, { type: 'jsonl', name: 'full-disk', path: '/dev/full' }],
    });
    seedBacklog(w.fake, 120, { seed: 32 });
    const p = start(['run', '--config', w.configPath]);
    const url = await p.httpUrl();
    await p.waitForLog('sink halted');
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { problems: string[] }).problems).toContain('sink full-disk is halted: it keeps failing on a page (the other sinks go on)');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('workos_events_sync_sink_halted{sink="full-disk"} 1');
    expect(metrics).toMatch(/workos_events_sync_drain_failures_total\{code="WES_ERR_SINK_UNAVAILABLE"\} [1-9]/);
    // The deployment's cursor is the slowest sink's: the halted one has none yet.
    expect(await w.storedCursor()).toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // Isolation: the healthy sink received everything meanwhile.
    expect((await waitForEvents(w.eventsFile, 120, 10_000)).map((e) => e.id)).toEqual(w.fake.events.map((e) => e.id));
  });

  it('dead-letters what a sink refuses, moves on, and replays it on demand', async () => {
    const archive = join(w.dir, 'archive.jsonl');
    await w.writeConfig({ retry: FAST_RETRY, sinks: [{ type: 'jsonl', name: 'archive', path: '/dev/full', onFailure: 'dead-letter', maxAttempts: 2 }] });
    seedBacklog(w.fake, 30, { seed: 33 });
    const once = await runCli(['once', '--config', w.configPath], w.env);
    expect(once.code).toBe(0);
    expect(once.stderr).toContain('dead-lettered events the sink would not accept');
    expect((await w.storedCursor())?.id).toBe(w.fake.events.at(-1)!.id);

    const list = await runCli(['dlq', 'list', '--sink', 'archive', '--config', w.configPath], w.env);
    const entries = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { sink: string; error_code: string; event: { id: string } });
    expect(entries.map((e) => e.event.id)).toEqual(w.fake.events.map((e) => e.id));
    expect(entries[0]).toMatchObject({ sink: 'archive', error_code: 'WES_ERR_SINK_UNAVAILABLE' });

    // The disk is fixed (here: the sink points at a real file): replay.
    await w.writeConfig({ sinks: [{ type: 'jsonl', name: 'archive', path: archive, onFailure: 'dead-letter' }] });
    const replay = await runCli(['dlq', 'replay', '--config', w.configPath], w.env);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('sink archive: replayed 30 dead letter(s)');
    expect((await readJsonl(archive)).map((e) => e.id)).toEqual(w.fake.events.map((e) => e.id));
    expect((await runCli(['dlq', 'list', '--config', w.configPath], w.env)).stdout).toBe('');
  });

  it('waits out a 429 before any further request', async () => {
    seedBacklog(w.fake, 200, { seed: 34 });
    w.fake.script({ kind: 'passthrough' }, { status: 429, json: { message: 'Too Many Requests' }, headers: { 'Retry-After': '2' } });
    const p = start(['run', '--config', w.configPath]);
    await waitForEvents(w.eventsFile, 200, 15_000);
    const [, limited, next] = w.fake.requests;
    expect(limited!.status).toBe(429);
    expect(p.stderr()).toContain('rate limited by WorkOS; waiting as Retry-After says');
    // The request after the 429 came only once Retry-After (2 s) had passed (timers may fire a hair early).
    expect(next!.receivedAt - limited!.receivedAt).toBeGreaterThanOrEqual(1990);
  });

  it('keeps to the client-side request budget while catching up', async () => {
    await w.writeConfig({ pageSize: 10, schedule: '* * * * * *', rateLimit: { requestsPerMinute: 120, burst: 2 } });
    seedBacklog(w.fake, 100, { seed: 35 });
    const p = start(['run', '--config', w.configPath]);
    await p.waitForLog('delivered a page');
    await new Promise((r) => setTimeout(r, 1500));
    p.child.kill('SIGTERM');
    await p.exited;
    // 2 at once, then 2 a second: far fewer than the 11 requests the backlog needs. Checked as the
    // bucket's own rule, over every stretch from the first request (a request more at a boundary:
    // the budget's clock is Redis's, the fake's is this host's), not as a count in a fixed window.
    const times = w.fake.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(times.length).toBeLessThan(11);
    times.forEach((t, i) => expect(i + 1).toBeLessThanOrEqual(2 + Math.floor(((t - times[0]!) / 1000) * 2) + 1));
  });
});
