import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { API_KEY, readJsonl, redisClient, REDIS_URL, tempDir, uniqueCursorKey } from '../support/harness.js';

let fake: FakeWorkOS;
let redis: Redis;
let dir: string;
let cursorKey: string;
let configPath: string;
let env: Record<string, string>;

beforeAll(async () => {
  redis = await redisClient();
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  fake = await startFakeWorkOS();
  dir = await tempDir();
  cursorKey = uniqueCursorKey();
  configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify({
    cursor: { store: 'redis', url: REDIS_URL, key: cursorKey },
    sinks: [{ type: 'jsonl', path: join(dir, 'events.jsonl') }],
  }));
  env = { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url };
});
afterEach(async () => {
  await fake.close();
  await redis.del(cursorKey);
});

describe('the workos-events-sync command', () => {
  it('prints its usage with --help and refuses an unknown command with exit 78', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: workos-events-sync <command>/);
    const unknown = await runCli(['sync'], env);
    expect(unknown.code).toBe(78);
    expect(unknown.stderr).toBe('workos-events-sync: unknown command "sync"; see --help\n');
  });

  it('refuses a bad config with exit 78 and one line per problem', async () => {
    await writeFile(configPath, JSON.stringify({ pageSize: 0, sinks: [{ type: 'kafka' }] }));
    const result = await runCli(['once', '--config', configPath], env);
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `workos-events-sync: ${configPath}: pageSize: Too small: expected number to be >=1, got 0`,
      `workos-events-sync: ${configPath}: sinks[0].type: unknown sink type "kafka"; expected one of stdout, jsonl`,
    ]);
  });

  it('refuses a missing or wrong API key at once, with exit 78 and a reason', async () => {
    const missing = await runCli(['run', '--config', configPath], { WORKOS_BASE_URL: fake.url });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/^workos-events-sync: .*WORKOS_API_KEY is not set: export the secret key \(sk_\.\.\.\)/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const publishable = await runCli(['run', '--config', configPath], { ...env, WORKOS_API_KEY: 'pk_live_123' });
    expect(publishable.code).toBe(78);
    expect(publishable.stderr).toMatch(/publishable key/);
  });

  it('check reports the config, WorkOS, the cursor and each sink', async () => {
    seedBacklog(fake, 3);
    const result = await runCli(['check', '--config', configPath], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ok {4}config/);
    expect(lines[1]).toContain(`oldest retained event ${fake.events[0]!.id}`);
    expect(lines[2]).toMatch(/^ok {4}cursor .*no cursor yet: will start from earliest/);
    expect(lines[3]).toMatch(/^ok {4}sink jsonl/);
    expect(fake.requests[0]!.query.get('limit')).toBe('1');
  });

  it('check exits 78 when WorkOS refuses the key, and 1 when WorkOS cannot be reached', async () => {
    const refused = await runCli(['check', '--config', configPath], { ...env, WORKOS_API_KEY: 'sk_test_wrong' });
    expect(refused.code).toBe(78);
    expect(refused.stdout).toMatch(/FAIL {2}workos .*refused the API key \(401\)/);
    await fake.close();
    const unreachable = await runCli(['check', '--config', configPath], env);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/FAIL {2}workos .*could not reach WorkOS/);
  });

  it('once drains the backlog and exits 0, logging JSON to stderr without the key', async () => {
    seedBacklog(fake, 420);
    const result = await runCli(['once', '--config', configPath], env);
    expect(result.code).toBe(0);
    expect((await readJsonl(join(dir, 'events.jsonl'))).map((e) => e.id)).toEqual(fake.events.map((e) => e.id));
    const logs = result.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.filter((l) => l.msg === 'delivered a page')).toHaveLength(5);
    expect(logs.find((l) => l.msg === 'delivered a page')).toMatchObject({ count: 100, first_event_id: fake.events[0]!.id, lag_seconds: expect.any(Number) });
    expect(result.stderr).not.toContain(API_KEY);
  });

  it('once exits 78 with one line when WorkOS refuses the key', async () => {
    fake.apiKey = 'sk_test_rotated';
    const result = await runCli(['once', '--config', configPath], env);
    expect(result.code).toBe(78);
    const plain = result.stderr.split('\n').filter((l) => l.startsWith('workos-events-sync:'));
    expect(plain).toEqual(['workos-events-sync: WorkOS refused the API key (401): WORKOS_API_KEY is wrong, revoked, or from another environment; the network is fine']);
  });

  it('cursor show, set and reset read and write the store without an API key', async () => {
    const noKey = { WORKOS_BASE_URL: fake.url };
    expect(JSON.parse((await runCli(['cursor', 'show', '--config', configPath], noKey)).stdout)).toMatchObject({ cursor: null });
    const set = await runCli(['cursor', 'set', 'event_01HXYZ', '--created-at', '2026-01-02T03:04:05Z', '--config', configPath], noKey);
    expect(set.code).toBe(0);
    expect(JSON.parse((await runCli(['cursor', 'show', '--config', configPath], noKey)).stdout)).toMatchObject({
      cursor: { id: 'event_01HXYZ', createdAt: '2026-01-02T03:04:05.000Z' },
    });
    expect((await runCli(['cursor', 'reset', '--config', configPath], noKey)).code).toBe(0);
    expect(await redis.get(cursorKey)).toBeNull();
    const bad = await runCli(['cursor', 'set', 'not an id', '--config', configPath], noKey);
    expect(bad.code).toBe(78);
  });

  it('refuses a cursor it cannot read instead of starting over', async () => {
    await redis.set(cursorKey, 'garbage');
    seedBacklog(fake, 5);
    const result = await runCli(['once', '--config', configPath], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/workos-events-sync: the cursor in redis .* is unreadable; inspect it, then fix it with/);
    expect(await readJsonl(join(dir, 'events.jsonl'))).toEqual([]);
  });
});
