import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sinkTypes } from '../../src/sinks/registry.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli, spawnCli } from '../support/cli-process.js';
import { API_KEY, readJsonl } from '../support/harness.js';
import { useWorld } from '../support/world.js';

const w = useWorld();

describe('the workos-events-sync command', () => {
  it('prints its usage with --help and refuses an unknown command with exit 78', async () => {
    const help = await runCli(['--help'], w.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: workos-events-sync <command>/);
    const unknown = await runCli(['sync'], w.env);
    expect(unknown.code).toBe(78);
    expect(unknown.stderr).toBe('workos-events-sync: unknown command "sync"; see --help\n');
  });

  it('refuses a bad config with exit 78 and one line per problem', async () => {
    await writeFile(w.configPath, JSON.stringify({ pageSize: 0, sinks: [{ type: 'kafka' }] }));
    const result = await runCli(['once', '--config', w.configPath], w.env);
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `workos-events-sync: ${w.configPath}: pageSize: Too small: expected number to be >=1, got 0`,
      `workos-events-sync: ${w.configPath}: sinks[0].type: unknown sink type "kafka"; expected one of ${sinkTypes.join(', ')}`,
    ]);
  });

  it('refuses a missing or wrong API key at once, with exit 78 and a reason', async () => {
    const missing = await runCli(['run', '--config', w.configPath], { WORKOS_BASE_URL: w.fake.url });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/^workos-events-sync: .*WORKOS_API_KEY is not set: export the secret key \(sk_\.\.\.\)/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const publishable = await runCli(['run', '--config', w.configPath], { ...w.env, WORKOS_API_KEY: 'pk_live_123' });
    expect(publishable.code).toBe(78);
    expect(publishable.stderr).toMatch(/publishable key/);
  });

  it('check reports the config, WorkOS, the cursor and each sink, and warns (exit 0) that the Redis keeps nothing on disk', async () => {
    seedBacklog(w.fake, 3);
    const result = await runCli(['check', '--config', w.configPath], w.env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^ok {4}config/);
    expect(lines[1]).toContain(`oldest retained event ${w.fake.events[0]!.id}`);
    expect(lines[2]).toMatch(/^ok {4}cursor .*no cursor yet: will start from earliest/);
    // The shared test Redis runs with appendonly no and save "".
    expect(lines[3]).toMatch(/^warn {2}redis .* keeps nothing on disk .*: a restart of that Redis empties the cursor and the leader lease; .*startFrom \("earliest"\)/);
    expect(lines[4]).toMatch(/^ok {4}leader .* is free/);
    expect(lines[5]).toMatch(/^ok {4}sink jsonl/);
    expect(w.fake.requests[0]!.query.get('limit')).toBe('1');
  });

  it('check exits 78 when WorkOS refuses the key, and 1 when WorkOS cannot be reached', async () => {
    const refused = await runCli(['check', '--config', w.configPath], { ...w.env, WORKOS_API_KEY: 'sk_test_wrong' });
    expect(refused.code).toBe(78);
    expect(refused.stdout).toMatch(/FAIL {2}workos .*refused the API key \(401\)/);
    await w.fake.close();
    const unreachable = await runCli(['check', '--config', w.configPath], w.env);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/FAIL {2}workos .*could not reach WorkOS/);
  });

  it('once drains the backlog and exits 0, logging JSON to stderr without the key', async () => {
    seedBacklog(w.fake, 420);
    const result = await runCli(['once', '--config', w.configPath], w.env);
    expect(result.code).toBe(0);
    expect((await readJsonl(w.eventsFile)).map((e) => e.id)).toEqual(w.fake.events.map((e) => e.id));
    const logs = result.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.filter((l) => l.msg === 'delivered a page')).toHaveLength(5);
    expect(logs.find((l) => l.msg === 'delivered a page')).toMatchObject({ count: 100, first_event_id: w.fake.events[0]!.id, lag_seconds: expect.any(Number) });
    expect(result.stderr).not.toContain(API_KEY);
  });

  it('once exits 78 with one line when WorkOS refuses the key', async () => {
    w.fake.apiKey = 'sk_test_rotated';
    const result = await runCli(['once', '--config', w.configPath], w.env);
    expect(result.code).toBe(78);
    const plain = result.stderr.split('\n').filter((l) => l.startsWith('workos-events-sync:'));
    expect(plain).toEqual(['workos-events-sync: WorkOS refused the API key (401): WORKOS_API_KEY is wrong, revoked, or from another environment; the network is fine']);
  });

  it('cursor show, set and reset read and write the store without an API key', async () => {
    const noKey = { WORKOS_BASE_URL: w.fake.url };
    expect(JSON.parse((await runCli(['cursor', 'show', '--config', w.configPath], noKey)).stdout)).toMatchObject({ cursor: null });
    const set = await runCli(['cursor', 'set', 'event_01HXYZ', '--created-at', '2026-01-02T03:04:05Z', '--config', w.configPath], noKey);
    expect(set.code).toBe(0);
    expect(JSON.parse((await runCli(['cursor', 'show', '--config', w.configPath], noKey)).stdout)).toMatchObject({
      cursor: { id: 'event_01HXYZ', createdAt: '2026-01-02T03:04:05.000Z' },
    });
    expect((await runCli(['cursor', 'reset', '--config', w.configPath], noKey)).code).toBe(0);
    expect(await w.redis.get(w.cursorKey)).toBeNull();
    const bad = await runCli(['cursor', 'set', 'not an id', '--config', w.configPath], noKey);
    expect(bad.code).toBe(78);
  });

  it('refuses a cursor it cannot read instead of starting over', async () => {
    await w.redis.set(w.cursorKey, 'garbage');
    seedBacklog(w.fake, 5);
    const result = await runCli(['once', '--config', w.configPath], w.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/workos-events-sync: the cursor in redis .* is unreadable; inspect it, then fix it with/);
    expect(await readJsonl(w.eventsFile)).toEqual([]);
  });
});

describe('events, health and logs', () => {
  it('events prints matching events as JSON lines without touching the cursor', async () => {
    seedBacklog(w.fake, 200, { seed: 51 });
    const types = 'user.created,dsync.user.created';
    const result = await runCli(['events', '--types', types, '--limit', '7', '--config', w.configPath], w.env);
    expect(result.code).toBe(0);
    const printed = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; event: string });
    const expected = w.fake.events.filter((e) => types.split(',').includes(e.event)).slice(0, 7);
    expect(printed.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    const after = await runCli(['events', '--after', expected[2]!.id, '--types', types, '--limit', '2', '--config', w.configPath], w.env);
    expect(after.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([expected[3]!.id, expected[4]!.id]);
    expect(await w.redis.get(w.cursorKey)).toBeNull();
    expect((await runCli(['events', '--after', 'x', '--from', '2026-01-01T00:00:00Z', '--config', w.configPath], w.env)).code).toBe(78);
  });

  it('serves /healthz, /readyz and /metrics while running', async () => {
    seedBacklog(w.fake, 120, { seed: 52 });
    const p = spawnCli(['run', '--config', w.configPath], w.env);
    try {
      const url = await p.httpUrl();
      await p.waitForLog('caught up');
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ok: true, role: 'leader', problems: [] });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/workos_events_sync_pages_total 2/);
      expect(metrics).toMatch(/workos_events_sync_events_delivered_total\{sink="jsonl",event_type="[a-z_.]+"\} \d+/);
      expect(metrics).toMatch(/workos_events_sync_requests_total\{status="200"\} [2-9]/);
      expect(metrics).toContain('workos_events_sync_leader 1');
      expect(metrics).toMatch(/workos_events_sync_lag_seconds \d/);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });

  it('logs for people with LOG_FORMAT=pretty', async () => {
    seedBacklog(w.fake, 5, { seed: 53 });
    const result = await runCli(['once', '--config', w.configPath], { ...w.env, LOG_FORMAT: 'pretty' });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('delivered a page');
    expect(result.stderr.trimStart().startsWith('{')).toBe(false);
  });
});
