import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { collectSecrets } from '../../../src/observability/collect-secrets.js';
import { redactUrl, urlSecrets } from '../../../src/observability/redact-url.js';

function capture() {
  let text = '';
  const destination = new Writable({ write(chunk, _e, done) { text += String(chunk); done(); } });
  return { destination, text: () => text };
}

describe('logger', () => {
  it('scrubs known secrets from every line, even inside error messages', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', secrets: ['sk_test_supersecret', 'hunter2pass'], destination: out.destination });
    logger.error({ err: new Error('auth failed for sk_test_supersecret at redis://:hunter2pass@h') }, 'boom sk_test_supersecret');
    logger.info({ apiKey: 'anything', nested: { password: 'p' } }, 'fields');
    expect(out.text()).not.toMatch(/supersecret|hunter2pass|"anything"/);
    expect(out.text()).toContain('[redacted]');
  });

  it('masks the password of a URL, or a bare token in the user part of a NATS URL', () => {
    expect(redactUrl('redis://:s3cretpw@redis:6379/0')).toBe('redis://:***@redis:6379/0');
    expect(redactUrl('nats://tokenvalue@nats:4222')).toBe('nats://***@nats:4222');
    expect(urlSecrets('redis://user:s3cretpw@redis:6379')).toEqual(['s3cretpw']);
    expect(urlSecrets('tls://tokenvalue@nats:4222')).toEqual(['tokenvalue']);
  });

  it('leaves a user name without a password alone: it is no secret', () => {
    expect(redactUrl('postgres://postgres@db:5432/app')).toBe('postgres://postgres@db:5432/app');
    expect(redactUrl('redis://default@redis:6379')).toBe('redis://default@redis:6379');
    expect(urlSecrets('postgres://postgres@db:5432/app')).toEqual([]);
    expect(urlSecrets('amqp://guest@rabbitmq:5672')).toEqual([]);
  });
});

describe('collectSecrets', () => {
  it('finds URL passwords, NATS tokens and secret-named values anywhere in a config, but no user names', () => {
    const config = {
      cursor: { store: 'redis', url: 'redis://:r3dispass@redis:6379' },
      sinks: [
        { type: 'postgres', url: 'postgres://app:pgs3cret@db/app' },
        { type: 'http', url: 'https://hooks.example.com/x', secret: 'whsec_abcdef' },
        { type: 'postgres', url: 'postgres://postgres@db/app' },
        { type: 'nats', token: 'natstoken1' },
        { type: 'nats', servers: ['nats://urltoken1@nats:4222', 'baretoken1@nats2:4222'] },
      ],
    };
    expect(collectSecrets(config).sort()).toEqual(['baretoken1', 'natstoken1', 'pgs3cret', 'r3dispass', 'urltoken1', 'whsec_abcdef']);
  });
});
