import { JetStreamApiError } from '@nats-io/jetstream';
import { AuthorizationError, ClosedConnectionError, ConnectionError, InvalidArgumentError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { natsSinkError } from '../../../src/sinks/nats/classify-nats-error.js';
import { natsSinkConfigSchema } from '../../../src/sinks/nats/nats-sink.js';
import { splitServerCredentials } from '../../../src/sinks/nats/server-credentials.js';
import { defaultStreamSubjects, renderSubject } from '../../../src/sinks/nats/subject-template.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';

const parse = (extra: Record<string, unknown>) => natsSinkConfigSchema.safeParse({ type: 'nats', ...extra });
const problems = (extra: Record<string, unknown>) => {
  const result = parse(extra);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const event = (type: string, data: Record<string, unknown> = {}): WorkOSEvent => ({ object: 'event', id: 'event_1', event: type, data, created_at: '2026-01-01T00:00:00.000Z' });

describe('the nats sink config', () => {
  it('has defaults for everything but the type', () => {
    expect(natsSinkConfigSchema.parse({ type: 'nats' })).toEqual({
      type: 'nats',
      onFailure: 'halt',
      servers: 'nats://127.0.0.1:4222',
      subject: 'workos.events.{event}',
      timeoutMs: 5000,
      connectTimeoutMs: 5000,
    });
    expect(natsSinkConfigSchema.parse({ type: 'nats', stream: { name: 'WORKOS' } }).stream).toEqual({
      name: 'WORKOS', create: false, duplicateWindowMs: 600_000, storage: 'file', replicas: 1,
    });
  });

  it('refuses unknown keys, bad subject templates and bad stream names, naming the field', () => {
    expect(problems({ subjects: 'x' })).toEqual([expect.stringMatching(/Unrecognized key/)]);
    expect(problems({ subject: 'workos.{type}' })).toEqual(['subject: unknown placeholder {type}; expected {event} or {organization_id}']);
    expect(problems({ subject: 'workos.*.{event}' })).toEqual(['subject: must not contain whitespace or the wildcards "*" and ">"']);
    expect(problems({ subject: 'workos..{event}' })).toEqual(['subject: must not have an empty token (a leading, trailing or doubled ".")']);
    expect(problems({ subject: 'workos.{event' })).toEqual(['subject: unbalanced "{" or "}"']);
    expect(problems({ stream: { name: 'a.b' } })[0]).toMatch(/^stream\.name: expected a stream name/);
    expect(problems({ stream: { name: 'S', duplicateWindowMs: 10 } })[0]).toMatch(/^stream\.duplicateWindowMs:/);
  });

  it('refuses credentials that do not go together', () => {
    expect(problems({ pass: 'x' })).toEqual(['pass: needs "user"']);
    expect(problems({ user: 'u', token: 't' })).toEqual(['token: use either "token" or "user"/"pass", not both']);
    expect(problems({ user: 'u', pass: 'p' })).toEqual([]);
  });

  it('needs stream.subjects to create a stream when the template has no literal prefix', () => {
    expect(problems({ subject: '{event}', stream: { name: 'S', create: true } })).toEqual([
      'stream.subjects: is required when the subject template starts with a placeholder (no literal prefix to capture)',
    ]);
    expect(problems({ subject: '{event}', stream: { name: 'S', create: true, subjects: ['>'] } })).toEqual([]);
    expect(problems({ subject: '{event}', stream: { name: 'S' } })).toEqual([]);
  });
});

describe('nats subjects', () => {
  it('derives the stream subjects from the literal prefix of the template', () => {
    expect(defaultStreamSubjects('workos.events.{event}')).toEqual(['workos.events.>']);
    expect(defaultStreamSubjects('workos.{organization_id}.{event}')).toEqual(['workos.>']);
    expect(defaultStreamSubjects('workos.ev_{event}')).toEqual(['workos.>']);
    expect(defaultStreamSubjects('workos.all')).toEqual(['workos.all']);
    expect(defaultStreamSubjects('{event}')).toBeUndefined();
  });

  it('keeps the dots of the event type, makes the organization one token, and never emits a wildcard', () => {
    expect(renderSubject('w.{event}', event('dsync.user.created'))).toBe('w.dsync.user.created');
    expect(renderSubject('w.{organization_id}.{event}', event('connection.activated', { organization_id: 'org_1' }))).toBe('w.org_1.connection.activated');
    expect(renderSubject('w.{organization_id}', event('user.created'))).toBe('w.none');
    expect(renderSubject('w.{organization_id}', event('organization.created', { object: 'organization', id: 'org_2' }))).toBe('w.org_2');
    expect(renderSubject('w.{organization_id}', event('x', { organization_id: 'a.b *>' }))).toBe('w.a_b___');
    expect(renderSubject('w.{event}', event('odd..type. with*'))).toBe('w.odd._.type._with_');
  });
});

describe('nats server credentials', () => {
  it('takes user and password or a token out of the server URLs', () => {
    expect(splitServerCredentials(['nats://u:p%40ss@a:4222', 'nats://b:4222'], {})).toEqual({ servers: ['nats://a:4222', 'nats://b:4222'], credentials: { user: 'u', pass: 'p@ss' } });
    expect(splitServerCredentials(['tok@a:4222'], {})).toEqual({ servers: ['a:4222'], credentials: { token: 'tok' } });
    expect(splitServerCredentials(['nats://u:p@a:4222'], { token: 't' })).toEqual({ servers: ['nats://a:4222'], credentials: { token: 't' } });
    expect(splitServerCredentials(['a:4222'], {})).toEqual({ servers: ['a:4222'], credentials: {} });
  });
});

describe('nats failure classification', () => {
  const classify = (err: unknown) => {
    const e = natsSinkError('n', 'publish', err);
    return { code: e.code, retryable: e.retryable, cause: e.cause === err };
  };
  const apiError = (err_code: number, code: number) => new JetStreamApiError({ err_code, code, description: 'x' });
  const rejected = { code: 'WES_ERR_SINK_REJECTED', retryable: false, cause: true };
  const retryable = { code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true, cause: true };

  it('rejects what no retry fixes, keeping the cause', () => {
    expect(classify(apiError(10054, 400))).toEqual(rejected);
    expect(classify(apiError(10060, 400))).toEqual(rejected);
    expect(classify(apiError(10059, 404))).toEqual(rejected);
    expect(classify(apiError(10071, 400))).toEqual(rejected);
    expect(classify(new Error('jetstream is not enabled', { cause: new RequestError('503', { cause: new NoRespondersError('s') }) }))).toEqual(rejected);
    expect(classify(new AuthorizationError('Authorization Violation'))).toEqual(rejected);
    expect(classify(InvalidArgumentError.format('payload', 'max_payload size exceeded'))).toEqual(rejected);
  });

  it('retries timeouts, lost connections and server-side trouble', () => {
    expect(classify(new TimeoutError())).toEqual(retryable);
    expect(classify(new ClosedConnectionError())).toEqual(retryable);
    expect(classify(new ConnectionError('connection refused', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toEqual(retryable);
    expect(classify(apiError(10023, 503))).toEqual(retryable);
    expect(classify(apiError(10077, 503))).toEqual(retryable);
    expect(classify(apiError(10047, 500))).toEqual(retryable);
    expect(classify(Object.assign(new Error('socket'), { code: 'ECONNRESET' }))).toEqual(retryable);
  });
});
