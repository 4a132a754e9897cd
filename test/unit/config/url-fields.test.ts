import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

function problemsOf(raw: Record<string, unknown>, env: Record<string, string> = {}): string[] {
  try {
    parseConfig({ sinks: [{ type: 'stdout' }], ...raw }, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  return [];
}

const sink = (entry: Record<string, unknown>) => ({ sinks: [entry] });
const RANGE = 'a host and a port 1-65535';

describe('URL fields of the config', () => {
  it.each([
    ['workos.baseUrl', { workos: { baseUrl: 'not a url' } }, 'is not a URL; expected an http:// or https:// URL'],
    ['workos.baseUrl', { workos: { baseUrl: 'http://127.0.0.1:99999' } }, 'has port 99999, outside 1-65535; expected an http:// or https:// URL'],
    ['cursor.url', { cursor: { store: 'redis', url: 'redis://127.0.0.1:99999' } }, 'has port 99999, outside 1-65535; expected a redis:// or rediss:// URL'],
    ['cursor.url', { cursor: { store: 'redis', url: 'redis://:6379' } }, 'has no host; expected a redis:// or rediss:// URL'],
    ['sinks[0].url', sink({ type: 'postgres', url: 'postgres://u@[bad/x' }), 'has an invalid IPv6 host'],
    ['sinks[0].url', sink({ type: 'postgres_mirror', url: 'mysql://db/app' }), 'has the scheme "mysql:"; expected a postgres:// or postgresql:// URL'],
    ['sinks[0].url', sink({ type: 'redis_streams', url: 'redis://[bad' }), 'has an invalid IPv6 host'],
    ['sinks[0].url', sink({ type: 'rabbitmq', url: 'amqp://rabbitmq:0' }), 'has port 0, outside 1-65535; expected an amqp:// or amqps:// URL'],
    ['sinks[0].url', sink({ type: 'http', url: 'https://', secret: 's' }), 'has no host; expected an http:// or https:// URL'],
    ['sinks[0].servers', sink({ type: 'nats', servers: 'ws://nats:4222' }), 'has the scheme "ws:"; expected a nats:// or tls:// URL'],
    ['sinks[0].servers[1]', sink({ type: 'nats', servers: ['nats://a:4222', 'b:70000'] }), 'has port 70000, outside 1-65535'],
  ])('refuses a bad %s with one line saying what is wrong', (path, raw, reason) => {
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${path}: ${reason}`);
    expect(problems[0]).toMatch(/e\.g\. "/);
  });

  it('names what a good value has, host and port range included', () => {
    expect(problemsOf({ cursor: { store: 'redis', url: 'redis://h:99999' } })).toEqual([
      `cursor.url: has port 99999, outside 1-65535; expected a redis:// or rediss:// URL with ${RANGE}, e.g. "redis://redis:6379"`,
    ]);
  });

  it('validates values that arrive through ${VAR} and the environment overrides, saying which variable set them', () => {
    expect(problemsOf(sink({ type: 'redis_streams', url: '${STREAMS_URL}' }), { STREAMS_URL: 'redis://[bad' })).toEqual([
      expect.stringMatching(/^sinks\[0\]\.url: has an invalid IPv6 host/),
    ]);
    expect(problemsOf({}, { WORKOS_BASE_URL: 'garbage' })).toEqual([
      expect.stringMatching(/^workos\.baseUrl: is not a URL; .* \(set by WORKOS_BASE_URL\)$/),
    ]);
    expect(problemsOf({}, { REDIS_URL: 'redis://127.0.0.1:99999' })).toEqual([
      expect.stringMatching(/^cursor\.url: has port 99999, .* \(set by REDIS_URL\)$/),
    ]);
  });

  it('reports a URL whose ${VAR} is missing once, as the missing variable', () => {
    expect(problemsOf(sink({ type: 'postgres', url: '${DATABASE_URL}' }))).toEqual([
      'sinks[0].url: environment variable DATABASE_URL is not set (referenced as ${DATABASE_URL})',
    ]);
  });

  it('never quotes the value back, so a password in it stays out of the message', () => {
    const problems = problemsOf(sink({ type: 'rabbitmq', url: 'amqp://app:${PW}@:5672' }), { PW: 'hunter2pass' });
    expect(problems).toEqual([expect.stringMatching(/^sinks\[0\]\.url: has no host;/)]);
    expect(problems[0]).not.toContain('hunter2pass');
  });

  it('accepts the forms the drivers accept: Postgres sockets and default hosts, IPv6, bare NATS host:port', () => {
    expect(problemsOf({
      workos: { baseUrl: 'http://[::1]:4100' },
      cursor: { store: 'redis', url: 'rediss://default:pw@redis.example.com:6380/2' },
      sinks: [
        { type: 'postgres', url: 'postgres://wes@/app?host=/var/run/postgresql' },
        { type: 'postgres', name: 'b', url: 'postgresql:///app' },
        { type: 'postgres_mirror', url: 'postgres://wes:pw@[::1]:5432/app?sslmode=require' },
        { type: 'nats', servers: ['nats://nats:4222', 'tls://nats2:4222', 'nats3:4222', 'token@nats4'] },
        { type: 'rabbitmq', url: 'amqps://app:pw@rabbitmq/%2F?heartbeat=5' },
        { type: 'http', url: 'https://app.example.com:8443/webhooks/workos?source=wes', secret: 's' },
      ],
    })).toEqual([]);
  });

  it('keeps the rules of each field beyond the URL itself', () => {
    expect(problemsOf({ workos: { baseUrl: 'https://proxy.example.com/workos' } })[0]).toMatch(/^workos\.baseUrl: expected only scheme, host and port/);
    expect(problemsOf({ workos: { baseUrl: 'https://:pw@api.workos.com' } })[0]).toMatch(/^workos\.baseUrl: expected only scheme, host and port/);
    expect(problemsOf(sink({ type: 'http', url: 'https://u:p@app.example.com/h', secret: 's' }))[0]).toMatch(/^sinks\[0\]\.url: expected no credentials in the URL/);
  });
});

describe('other config messages', () => {
  it('says which cursor stores there are, and what was given', () => {
    expect(problemsOf({ cursor: { store: 'memory' } })).toEqual(['cursor.store: expected "redis" or "file", got "memory"']);
  });

  it('reports a value of the wrong type for a field that takes a string or a list', () => {
    expect(problemsOf(sink({ type: 'nats', servers: 4222 }))).toEqual(['sinks[0].servers: expected string or array, got 4222']);
  });
});
