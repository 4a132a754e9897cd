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

  it('masks the password of a URL, or a bare token in its user part', () => {
    expect(redactUrl('redis://:s3cretpw@redis:6379/0')).toBe('redis://:***@redis:6379/0');
    expect(redactUrl('redis://tokenvalue@redis:6379')).toBe('redis://***@redis:6379');
    expect(urlSecrets('redis://user:s3cretpw@redis:6379')).toEqual(['s3cretpw']);
  });
});

describe('collectSecrets', () => {
  it('finds URL passwords and secret-named values anywhere in a config', () => {
    const config = {
      cursor: { store: 'redis', url: 'redis://:r3dispass@redis:6379' },
      sinks: [
        { type: 'postgres', url: 'postgres://app:pgs3cret@db/app' },
        { type: 'http', url: 'https://hooks.example.com/x', secret: 'whsec_abcdef' },
        { type: 'nats', token: 'natstoken1' },
      ],
    };
    expect(collectSecrets(config).sort()).toEqual(['natstoken1', 'pgs3cret', 'r3dispass', 'whsec_abcdef']);
  });
});
