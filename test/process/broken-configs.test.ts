import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { API_KEY, redisClient, REDIS_URL, tempDir, uniqueCursorKey } from '../support/harness.js';
import { keysMatching } from '../support/redis-keys.js';

/** A config that is wrong in one or a few ways, and what the CLI must say about it. */
interface BrokenConfig {
  /** Top-level keys laid over the base config (a working one: Redis cursor, a jsonl sink). */
  readonly config?: Record<string, unknown>;
  /** Environment beyond the API key (and, unless given here, the fake's base URL via the config). */
  readonly env?: Record<string, string>;
  /** The config paths named, one problem line each, in order. */
  readonly paths: readonly string[];
  /** Something the lines must say, e.g. a did-you-mean. */
  readonly says?: RegExp;
  /** Default `check`; `run` and `once` prove that a start is refused before anything is written. */
  readonly command?: 'check' | 'run' | 'once';
}

const PASSWORD = 'hunter2-in-a-url';
const jsonl = (extra: Record<string, unknown> = {}) => ({ type: 'jsonl', path: './events.jsonl', ...extra });

const cases: Record<string, BrokenConfig> = {
  // Types
  'a number given as a string': { config: { pageSize: '100' }, paths: ['pageSize'], says: /expected number, got "100"/ },
  'an object where a list belongs': { config: { sinks: { type: 'stdout' } }, paths: ['sinks'], says: /expected array, got an object/ },
  'a boolean given as a word': { config: { leader: { enabled: 'yes' } }, paths: ['leader.enabled'], command: 'run' },
  'a fraction where whole milliseconds belong': { config: { workos: { baseUrl: '${FAKE_URL}', timeoutMs: 1500.5 } }, paths: ['workos.timeoutMs'] },
  'a value outside an enum': { config: { logLevel: 'loud' }, paths: ['logLevel'] },
  'a bad startFrom': { config: { startFrom: 'yesterday' }, paths: ['startFrom'], command: 'once' },
  // Unknown keys, with a did-you-mean
  'an unknown top-level key': { config: { pagesize: 10 }, paths: ['(root)'], says: /unknown key "pagesize" \(did you mean "pageSize"\?\)/ },
  'an unknown key in a sink': { config: { sinks: [jsonl({ pth: 'x' })] }, paths: ['sinks[0]'], says: /did you mean "path"\?/, command: 'run' },
  'an unknown nested key': { config: { retry: { maxAttempt: 3 } }, paths: ['retry'], says: /did you mean "maxAttempts"\?/ },
  'an unknown sink type': { config: { sinks: [{ type: 'stdot' }] }, paths: ['sinks[0].type'], says: /did you mean "stdout"\?/ },
  // Cron
  'a schedule that is not cron': { config: { schedule: 'often' }, paths: ['schedule'], command: 'run' },
  'a cron field out of range': { config: { schedule: '61 * * * *' }, paths: ['schedule'] },
  // Every URL field
  'workos.baseUrl that is not a URL': { config: { workos: { baseUrl: 'not a url' } }, paths: ['workos.baseUrl'], says: /is not a URL/ },
  'workos.baseUrl with a port out of range': { config: { workos: { baseUrl: 'http://127.0.0.1:99999' } }, paths: ['workos.baseUrl'], says: /port 99999, outside 1-65535/, command: 'run' },
  'workos.baseUrl with a path': { config: { workos: { baseUrl: 'https://proxy.example.com/workos' } }, paths: ['workos.baseUrl'] },
  'WORKOS_BASE_URL=garbage': { config: { workos: {} }, env: { WORKOS_BASE_URL: 'garbage' }, paths: ['workos.baseUrl'], says: /\(set by WORKOS_BASE_URL\)/, command: 'run' },
  'cursor.url with a port out of range': { config: { cursor: { store: 'redis', url: 'redis://127.0.0.1:99999' } }, paths: ['cursor.url'], says: /expected a redis:\/\/ or rediss:\/\/ URL with a host and a port 1-65535/ },
  'REDIS_URL that does not parse': { env: { REDIS_URL: 'redis://[bad' }, paths: ['cursor.url'], says: /\(set by REDIS_URL\)/, command: 'once' },
  'cursor.url of another scheme through ${VAR}': { config: { cursor: { store: 'redis', url: '${CURSOR_URL}' } }, env: { CURSOR_URL: 'http://redis:6379' }, paths: ['cursor.url'], says: /scheme "http:"/ },
  'an http sink URL of another scheme': { config: { sinks: [{ type: 'http', url: 'ftp://hooks.example.com/x', secret: '${HOOK_SECRET}' }] }, env: { HOOK_SECRET: 'whsec_x' }, paths: ['sinks[0].url'] },
  'an http sink URL with credentials': { config: { sinks: [{ type: 'http', url: 'https://u:p@hooks.example.com/x', secret: '${HOOK_SECRET}' }] }, env: { HOOK_SECRET: 'whsec_x' }, paths: ['sinks[0].url'] },
  'a postgres URL with a broken host': { config: { sinks: [jsonl(), { type: 'postgres', url: 'postgres://u@[bad/x' }] }, paths: ['sinks[1].url'], command: 'run' },
  'a postgres_mirror URL with port 0': { config: { sinks: [{ type: 'postgres_mirror', url: 'postgres://db:0/app' }] }, paths: ['sinks[0].url'] },
  'a redis_streams URL with a broken host': { config: { sinks: [jsonl(), { type: 'redis_streams', url: 'redis://[bad' }] }, paths: ['sinks[1].url'], command: 'run' },
  'a NATS server of another scheme': { config: { sinks: [{ type: 'nats', servers: 'ws://nats:4222' }] }, paths: ['sinks[0].servers'] },
  'a NATS server list with a bad port': { config: { sinks: [{ type: 'nats', servers: ['nats://a:4222', 'b:99999'] }] }, paths: ['sinks[0].servers[1]'] },
  'a rabbitmq URL without a host, password through ${VAR}': {
    config: { sinks: [{ type: 'rabbitmq', url: 'amqp://app:${RABBIT_PASSWORD}@:5672' }] }, env: { RABBIT_PASSWORD: PASSWORD }, paths: ['sinks[0].url'], says: /has no host/, command: 'run',
  },
  // Negative numbers
  'a negative page size': { config: { pageSize: -1 }, paths: ['pageSize'] },
  'a negative backoff': { config: { retry: { minDelayMs: -5 } }, paths: ['retry.minDelayMs'] },
  'a negative shutdown grace': { config: { shutdownGraceMs: -1 }, paths: ['shutdownGraceMs'], command: 'once' },
  'a negative rate': { config: { rateLimit: { requestsPerMinute: -10 } }, paths: ['rateLimit.requestsPerMinute'] },
  // Rules across fields
  'two sinks with one name': { config: { sinks: [jsonl({ name: 'a' }), { type: 'stdout', name: 'a' }] }, paths: ['sinks[1].name'], says: /already the name of sinks\[0\]/, command: 'run' },
  'a renewal too slow for the lease': { config: { leader: { ttlMs: 10_000, renewIntervalMs: 6_000 } }, paths: ['leader.renewIntervalMs'] },
  'dead letters without Redis': { config: { cursor: { store: 'file', path: './cursor.json' }, sinks: [jsonl({ onFailure: 'dead-letter' })] }, paths: ['sinks[0].onFailure'], command: 'run' },
  // Secrets and ${VAR}
  'an API key in the workos section': { config: { workos: { baseUrl: '${FAKE_URL}', apiKey: 'sk_test_abcdef' } }, paths: ['workos.apiKey'], command: 'run' },
  'an API key pasted into a sink': { config: { sinks: [jsonl({ path: 'sk_live_abcdef123' })] }, paths: ['sinks[0].path'], says: /looks like a WorkOS API key/ },
  'a missing ${VAR}': { config: { sinks: [jsonl({ path: '${EVENTS_DIR}/events.jsonl' })] }, paths: ['sinks[0].path'], says: /EVENTS_DIR is not set/, command: 'run' },
  'a missing ${VAR} for a whole URL': { config: { sinks: [{ type: 'postgres', url: '${DATABASE_URL}' }] }, paths: ['sinks[0].url'], says: /DATABASE_URL is not set/ },
  // Secrets read from files (*_FILE): missing, unreadable, empty, or set twice
  'WORKOS_API_KEY_FILE naming a missing file': {
    env: { WORKOS_API_KEY: '', WORKOS_API_KEY_FILE: '/run/secrets/no_such_workos_api_key' }, paths: ['WORKOS_API_KEY_FILE'], says: /\/run\/secrets\/no_such_workos_api_key does not exist/, command: 'run',
  },
  'WORKOS_API_KEY and WORKOS_API_KEY_FILE both set': { env: { WORKOS_API_KEY_FILE: '/dev/null' }, paths: ['WORKOS_API_KEY_FILE'], says: /WORKOS_API_KEY is set as well; set only one/, command: 'once' },
  'an empty WORKOS_WEBHOOK_SECRET_FILE': { env: { WORKOS_WEBHOOK_SECRET_FILE: '/dev/null' }, paths: ['WORKOS_WEBHOOK_SECRET_FILE'], says: /\/dev\/null is empty/, command: 'run' },
  'a ${VAR} whose VAR_FILE is missing': {
    config: { sinks: [{ type: 'postgres', url: '${DATABASE_URL}' }] }, env: { DATABASE_URL_FILE: '/nonexistent/database_url' }, paths: ['sinks[0].url'], says: /DATABASE_URL_FILE: \/nonexistent\/database_url does not exist/,
  },
  'REDIS_URL_FILE naming a directory': { env: { REDIS_URL_FILE: '/tmp' }, paths: ['cursor.url'], says: /REDIS_URL_FILE: \/tmp is a directory/, command: 'once' },
  // Stores
  'cursor.store "memory"': { config: { cursor: { store: 'memory' } }, paths: ['cursor.store'], says: /cursor\.store: expected "redis" or "file", got "memory"/, command: 'run' },
  // Several at once
  'three problems at once': { config: { pageSize: 0, schedule: 'often', sinks: [{ type: 'kafka' }] }, paths: ['pageSize', 'schedule', 'sinks[0].type'], command: 'once' },
};

let fake: FakeWorkOS;
let redis: Redis;

beforeAll(async () => {
  fake = await startFakeWorkOS();
  // Events to deliver: a config that slipped through would write them.
  seedBacklog(fake, 5);
  redis = await redisClient();
});

afterAll(async () => {
  await fake.close();
  await redis.quit();
});

describe.concurrent('a broken config', () => {
  it.each(Object.entries(cases))('is refused: %s (exit 78, one line per problem naming its path, nothing written)', async (_name, broken) => {
    const dir = await tempDir('wes-broken-');
    const cursorKey = uniqueCursorKey();
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify({
      workos: { baseUrl: fake.url },
      cursor: { store: 'redis', url: REDIS_URL, key: cursorKey },
      sinks: [jsonl()],
      http: { host: '127.0.0.1', port: 0 },
      rateLimit: { requestsPerMinute: 6000 },
      leader: { key: `${cursorKey}:leader` },
      deadLetter: { keyPrefix: `${cursorKey}:dlq` },
      ...broken.config,
    }));
    const command = broken.command ?? 'check';
    const result = await runCli([command, '--config', configPath], { WORKOS_API_KEY: API_KEY, FAKE_URL: fake.url, ...broken.env }, dir);

    expect(result.code, result.stderr).toBe(78);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    const prefix = `workos-events-sync: ${configPath}: `;
    for (const line of lines) expect(line.startsWith(prefix), line).toBe(true);
    expect(lines.map((line) => line.slice(prefix.length, line.indexOf(': ', prefix.length)))).toEqual(broken.paths);
    if (broken.says) expect(result.stderr).toMatch(broken.says);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toContain(PASSWORD);

    // Nothing written: no cursor, lease or dead letter in Redis, no file beside the config.
    expect(await keysMatching(redis, `${cursorKey}*`)).toEqual([]);
    expect(await readdir(dir, { recursive: true })).toEqual(['config.json']);
  });
});

it('covers at least 30 broken configs, through check, run and once', () => {
  const all = Object.values(cases);
  expect(all.length).toBeGreaterThanOrEqual(30);
  expect(new Set(all.map((c) => c.command ?? 'check'))).toEqual(new Set(['check', 'run', 'once']));
});
