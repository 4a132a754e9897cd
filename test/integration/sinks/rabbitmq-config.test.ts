import { describe, expect, it } from 'vitest';
import { connectUrl } from '../../../src/sinks/rabbitmq/amqp-session.js';
import { rabbitmqSinkError } from '../../../src/sinks/rabbitmq/classify-rabbitmq-error.js';
import { rabbitmqSinkConfigSchema } from '../../../src/sinks/rabbitmq/rabbitmq-sink.js';
import { RecentIds } from '../../../src/sinks/rabbitmq/recent-ids.js';
import { renderRoutingKey, routingKeyTemplateProblem } from '../../../src/sinks/rabbitmq/routing-key.js';
import { eventMessage } from '../../../src/sinks/rabbitmq/event-message.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';

const event = (over: Partial<WorkOSEvent> = {}): WorkOSEvent => ({
  object: 'event',
  id: 'event_01',
  event: 'dsync.user.created',
  data: { object: 'directory_user', organization_id: 'org_9' },
  created_at: '2026-01-15T10:30:00.250Z',
  ...over,
});

describe('rabbitmq sink config', () => {
  it('fills the documented defaults', () => {
    expect(rabbitmqSinkConfigSchema.parse({ type: 'rabbitmq', url: 'amqp://localhost' })).toEqual({
      type: 'rabbitmq',
      url: 'amqp://localhost',
      onFailure: 'halt',
      exchange: 'workos.events',
      exchangeType: 'topic',
      declare: false,
      routingKey: '{event}',
      mandatory: true,
      timeoutMs: 10_000,
      heartbeatSeconds: 10,
      connectTimeoutMs: 5_000,
    });
  });

  it('refuses a URL that is not amqp(s) without echoing it (it may hold a password)', () => {
    const result = rabbitmqSinkConfigSchema.safeParse({ type: 'rabbitmq', url: 'http://app:s3cret@rabbit:5672' }, { reportInput: true });
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue.path).toEqual(['url']);
    expect(issue.input).toBeUndefined();
    expect(JSON.stringify(result.error!.issues)).not.toContain('s3cret');
  });

  it('refuses unknown keys, unknown placeholders and declaring the broker\'s own exchanges', () => {
    const base = { type: 'rabbitmq', url: 'amqps://rabbit' };
    expect(rabbitmqSinkConfigSchema.safeParse({ ...base, exchnage: 'x' }).success).toBe(false);
    expect(rabbitmqSinkConfigSchema.safeParse({ ...base, routingKey: '{type}' }).error?.issues[0]?.message).toMatch(/unknown placeholder \{type\}/);
    expect(rabbitmqSinkConfigSchema.safeParse({ ...base, routingKey: 'a.{event' }).success).toBe(false);
    expect(rabbitmqSinkConfigSchema.safeParse({ ...base, exchange: 'amq.topic', declare: true }).error?.issues[0]?.path).toEqual(['declare']);
    expect(rabbitmqSinkConfigSchema.safeParse({ ...base, exchange: '', declare: true }).success).toBe(false);
    expect(rabbitmqSinkConfigSchema.safeParse({ ...base, exchange: 'amq.topic' }).success).toBe(true);
    expect(rabbitmqSinkConfigSchema.safeParse({ ...base, exchangeType: 'x-delayed' }).success).toBe(false);
  });
});

describe('rabbitmq routing keys and messages', () => {
  it('renders {event} and {organization_id}', () => {
    expect(routingKeyTemplateProblem('wes.{organization_id}.{event}')).toBeUndefined();
    expect(renderRoutingKey('wes.{organization_id}.{event}', event())).toBe('wes.org_9.dsync.user.created');
    expect(renderRoutingKey('{organization_id}', event({ data: { object: 'organization', id: 'org_3' } }))).toBe('org_3');
    expect(renderRoutingKey('{organization_id}', event({ data: { object: 'user', id: 'user_1' } }))).toBe('none');
    expect(renderRoutingKey('fixed', event())).toBe('fixed');
  });

  it('builds a persistent JSON message keyed by the event id, with created_at in seconds', () => {
    const e = event({ unknown_field: { kept: true } });
    const message = eventMessage(e, '{event}', true, 'mq');
    expect(JSON.parse(message.content.toString('utf8'))).toEqual(e);
    expect(message).toMatchObject({ id: 'event_01', routingKey: 'dsync.user.created' });
    expect(message.options).toEqual({
      persistent: true,
      mandatory: true,
      messageId: 'event_01',
      contentType: 'application/json',
      type: 'dsync.user.created',
      appId: 'workos-events-sync',
      timestamp: Math.floor(Date.parse('2026-01-15T10:30:00.250Z') / 1000),
      headers: { 'x-workos-event-id': 'event_01' },
    });
    expect(eventMessage(event({ created_at: 'not a time' }), '{event}', false, 'mq').options.timestamp).toBeUndefined();
  });

  it('refuses, as rejected, a routing key longer than AMQP allows', () => {
    expect(() => eventMessage(event({ event: 'x'.repeat(256) }), '{event}', true, 'mq')).toThrow(expect.objectContaining({ code: 'WES_ERR_SINK_REJECTED', retryable: false }));
  });
});

describe('rabbitmq failure classification', () => {
  const withCode = (code: number | string) => Object.assign(new Error('broker said no'), { code });

  it('rejects on the reply codes a retry cannot fix, keeping the cause', () => {
    for (const code of [311, 312, 313, 403, 404, 406, 530]) {
      const cause = withCode(code);
      expect(rabbitmqSinkError('mq', 'publish', cause)).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false, cause });
    }
  });

  it('retries connection trouble, forced closes, internal errors and uncoded failures (nacks, lost channels)', () => {
    for (const err of [withCode(320), withCode(541), withCode(506), withCode('ECONNREFUSED'), withCode('ECONNRESET'), withCode('ETIMEDOUT'), new Error('channel closed'), 'odd']) {
      expect(rabbitmqSinkError('mq', 'publish', err)).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    }
  });
});

describe('rabbitmq sink helpers', () => {
  it('keeps the most recent ids, evicting the oldest', () => {
    const ids = new RecentIds(3);
    for (const id of ['a', 'b', 'c', 'b', 'd']) ids.add(id);
    expect(['a', 'b', 'c', 'd'].map((id) => ids.has(id))).toEqual([false, true, true, true]);
    expect(ids.size).toBe(3);
  });

  it('adds the heartbeat to the URL unless the URL sets one', () => {
    expect(connectUrl('amqp://u:p@rabbit:5672/%2F', 10)).toBe('amqp://u:p@rabbit:5672/%2F?heartbeat=10');
    expect(connectUrl('amqps://rabbit/vh?heartbeat=30&frameMax=8192', 10)).toBe('amqps://rabbit/vh?heartbeat=30&frameMax=8192');
  });
});
