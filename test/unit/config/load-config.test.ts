import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { sinkConfigSchema, sinkEntries, sinkTypes } from '../../../src/sinks/registry.js';
import { problemsOf } from '../../support/config-problems.js';

const KEY = { WORKOS_API_KEY: 'sk_test_123456' };

async function writeConfig(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wes-config-'));
  const path = join(dir, 'config.json');
  await writeFile(path, content);
  return path;
}

describe('parseConfig', () => {
  it('fills every default from a minimal config', () => {
    const config = parseConfig({ sinks: [{ type: 'stdout' }] }, {});
    expect(config).toMatchObject({
      workos: { baseUrl: 'https://api.workos.com', timeoutMs: 30_000 },
      events: [],
      pageSize: 100,
      schedule: '*/10 * * * * *',
      startFrom: 'earliest',
      cursor: { store: 'file', path: './.workos-events-sync/cursor.json' },
      retry: { maxAttempts: 6 },
    });
  });

  it('lists every problem at once, each with its path', () => {
    const problems = problemsOf(() =>
      parseConfig({ pageSize: 500, schedule: 'often', sinks: [{ type: 'jsonl' }], cursor: { store: 'redis', url: 'localhost' } }, {}),
    );
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^pageSize: .*100.*got 500/),
      expect.stringMatching(/^schedule: expected a node-cron expression.*got "often"/),
      'sinks[0].path: is required',
      expect.stringMatching(/^cursor\.url: is not a URL; expected a redis:\/\/ or rediss:\/\/ URL/),
    ]));
    expect(problems).toHaveLength(4);
  });

  it('refuses unknown keys and suggests the key that was meant', () => {
    expect(problemsOf(() => parseConfig({ pagesize: 10, sinks: [{ type: 'jsonl', pth: 'x' }] }, {}))).toEqual([
      'sinks[0].path: is required',
      'sinks[0]: unknown key "pth" (did you mean "path"?)',
      '(root): unknown key "pagesize" (did you mean "pageSize"?)',
    ]);
  });

  it('names an unknown sink type and the types there are', () => {
    expect(problemsOf(() => parseConfig({ sinks: [{ type: 'stdot' }] }, {}))).toEqual([
      `sinks[0].type: unknown sink type "stdot"; expected one of ${sinkTypes.join(', ')} (did you mean "stdout"?)`,
    ]);
  });

  it('refuses an API key written into the config file', () => {
    expect(problemsOf(() => parseConfig({ workos: { apiKey: 'sk_test_abc' }, sinks: [{ type: 'stdout' }] }, {}))).toEqual([
      'workos.apiKey: the API key is read only from the WORKOS_API_KEY environment variable; remove it from the config file',
    ]);
    expect(problemsOf(() => parseConfig({ sinks: [{ type: 'jsonl', path: 'sk_live_abcdef' }] }, {}))[0]).toMatch(/^sinks\[0\]\.path: looks like a WorkOS API key/);
  });

  it('substitutes ${VAR} in string values and reports a missing variable by path', () => {
    const config = parseConfig({ sinks: [{ type: 'jsonl', path: '${DIR}/events.jsonl' }] }, { DIR: '/data' });
    expect(config.sinks[0]).toMatchObject({ path: '/data/events.jsonl' });
    expect(problemsOf(() => parseConfig({ sinks: [{ type: 'jsonl', path: '${DIR}/e.jsonl' }] }, {}))).toEqual([
      'sinks[0].path: environment variable DIR is not set (referenced as ${DIR})',
    ]);
  });

  it('lets the environment override the base URL, the Redis URL and the log level', () => {
    const config = parseConfig(
      { sinks: [{ type: 'stdout' }], cursor: { store: 'file', path: 'c.json' } },
      { WORKOS_BASE_URL: 'http://127.0.0.1:4100', REDIS_URL: 'redis://127.0.0.1:6379/2', LOG_LEVEL: 'debug' },
    );
    expect(config.workos.baseUrl).toBe('http://127.0.0.1:4100');
    expect(config.cursor).toEqual({ store: 'redis', url: 'redis://127.0.0.1:6379/2', key: 'workos-events-sync:cursor', maxAgeDays: 29 });
    expect(config.logLevel).toBe('debug');
  });

  it('refuses a base URL with a path, since the SDK cannot add one', () => {
    expect(problemsOf(() => parseConfig({ workos: { baseUrl: 'https://proxy.example.com/workos' }, sinks: [{ type: 'stdout' }] }, {}))[0]).toMatch(/^workos\.baseUrl: expected only scheme, host and port/);
  });

  it('refuses two sinks with the same name', () => {
    expect(problemsOf(() => parseConfig({ sinks: [{ type: 'stdout', name: 'a' }, { type: 'jsonl', name: 'a', path: 'x' }] }, {}))).toEqual([
      'sinks[1].name: "a" is already the name of sinks[0]',
    ]);
  });

  it('lists the same sink types in the registry and in the config schema', () => {
    const schemaTypes = sinkConfigSchema.options.map((o) => o.shape.type.value);
    expect(schemaTypes).toEqual(sinkEntries.map((d) => d.type));
  });
});

describe('loadConfig', () => {
  it('reads the file and the API key from the environment', async () => {
    const path = await writeConfig('{"sinks":[{"type":"stdout"}]}');
    const loaded = await loadConfig({ path, env: KEY, requireApiKey: true });
    expect(loaded.apiKey).toBe('sk_test_123456');
  });

  it.each([
    [{}, 'WORKOS_API_KEY is not set'],
    [{ WORKOS_API_KEY: 'pk_test_1' }, 'publishable key'],
    [{ WORKOS_API_KEY: 'client_01H' }, 'client ID'],
    [{ WORKOS_API_KEY: 'abc' }, 'does not start with sk_'],
  ])('refuses a missing or wrong key (%j) with a reason', async (env, reason) => {
    const path = await writeConfig('{"sinks":[{"type":"stdout"}]}');
    await expect(loadConfig({ path, env, requireApiKey: true })).rejects.toThrow(reason);
  });

  it('does not ask for a key when the command does not call WorkOS', async () => {
    const path = await writeConfig('{"sinks":[{"type":"stdout"}]}');
    await expect(loadConfig({ path, env: {}, requireApiKey: false })).resolves.toMatchObject({ apiKey: undefined });
  });

  it('says when the file is missing or not JSON', async () => {
    await expect(loadConfig({ path: '/nonexistent/config.json', env: KEY, requireApiKey: true })).rejects.toThrow(/config file \/nonexistent\/config.json not found: pass --config PATH/);
    const path = await writeConfig('{"sinks": [,]}');
    await expect(loadConfig({ path, env: KEY, requireApiKey: true })).rejects.toThrow(/is not valid JSON/);
  });

  it('checks the example config shipped with the package', async () => {
    await expect(loadConfig({ path: 'config.example.json', env: { ...KEY, REDIS_URL: 'redis://127.0.0.1:6379' }, requireApiKey: true })).resolves.toBeTruthy();
  });
});

describe('config errors and secrets', () => {
  it('never quotes a secret back: a refused URL is not echoed and secret-named values are hidden', () => {
    const problems = problemsOf(() =>
      parseConfig({ cursor: { store: 'redis', url: 'http://:${PW}@redis:6379' }, sinks: [{ type: 'http', url: 'https://x.example.com/h', secret: 5 }] }, { PW: 'hunter2pass' }),
    );
    expect(problems.join('\n')).not.toContain('hunter2pass');
    expect(problems).toEqual([
      expect.stringMatching(/^cursor\.url: has the scheme "http:"; expected a redis:\/\/ or rediss:\/\/ URL/),
      'sinks[0].secret: expected string, got (a hidden value)',
    ]);
  });
});
