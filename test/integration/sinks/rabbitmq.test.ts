import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isWesError } from '../../../src/errors.js';
import { rabbitmqSink, rabbitmqSinkConfigSchema } from '../../../src/sinks/rabbitmq/rabbitmq-sink.js';
import type { Sink } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { samplePage } from '../../conformance/sink-conformance.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

const BROKER = { host: '127.0.0.1', port: 5672 };
const URL_DIRECT = `amqp://guest:guest@${BROKER.host}:${BROKER.port}`;
const context = { logger: pino({ level: 'silent' }), stdout: new PassThrough() };

let admin: ChannelModel;
let channel: Channel;
let names: string;
let sinks: Sink[] = [];

/** A fresh channel for a check that may close it (a failed passive declare does). */
async function scratchChannel(): Promise<Channel> {
  const ch = await admin.createChannel();
  ch.on('error', () => undefined);
  return ch;
}

function makeSink(config: Record<string, unknown>, url = URL_DIRECT): Sink {
  const sink = rabbitmqSink.create(
    rabbitmqSinkConfigSchema.parse({ type: 'rabbitmq', url, exchange: names, connectTimeoutMs: 2000, timeoutMs: 5000, ...config }),
    'rabbitmq-test',
    context,
  );
  sinks.push(sink);
  return sink;
}

/** A topic exchange and an exclusive queue bound to every routing key, both this test's own. */
async function topology(pattern = '#', queueArgs: Record<string, unknown> = {}): Promise<void> {
  await channel.assertExchange(names, 'topic', { durable: false, autoDelete: true });
  await channel.assertQueue(names, { exclusive: true, arguments: queueArgs });
  await channel.bindQueue(names, names, pattern);
}

async function drain(queue = names): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (message === false) return messages;
    messages.push(message);
  }
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; retryable: boolean; message: string }> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(isWesError(err), `expected a WesError, got ${String(err)}`).toBe(true);
  return err as { code: string; retryable: boolean; message: string };
}

beforeAll(async () => {
  admin = await connect(URL_DIRECT);
  admin.on('error', () => undefined);
  channel = await admin.createChannel();
});
afterAll(async () => {
  await admin.close();
});
beforeEach(() => {
  names = `wes-test-${randomUUID().slice(0, 8)}`;
});
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
  await channel.deleteQueue(names).catch(() => undefined);
  await channel.deleteExchange(names).catch(() => undefined);
});

describe('rabbitmq sink: messages', () => {
  it('publishes each event persistent, with messageId = event id, JSON body and the event type as routing key', async () => {
    await topology();
    const sink = makeSink({});
    await sink.open();
    const page = samplePage(6, 21);
    await sink.write(page);
    const messages = await drain();
    expect(messages.map((m) => JSON.parse(m.content.toString('utf8')) as WorkOSEvent)).toEqual(page.events);
    messages.forEach((m, i) => {
      const event = page.events[i]!;
      expect(m.fields.routingKey).toBe(event.event);
      expect(m.fields.exchange).toBe(names);
      expect(m.properties).toMatchObject({
        deliveryMode: 2,
        messageId: event.id,
        contentType: 'application/json',
        type: event.event,
        appId: 'workos-events-sync',
        timestamp: Math.floor(Date.parse(event.created_at) / 1000),
        headers: { 'x-workos-event-id': event.id },
      });
    });
  });

  it('renders {organization_id} from the event, and "none" for an event without one', async () => {
    await topology();
    const sink = makeSink({ routingKey: 'org.{organization_id}.{event}' });
    const base = { object: 'event', created_at: new Date().toISOString() };
    const events: WorkOSEvent[] = [
      { ...base, id: 'event_a', event: 'organization_membership.created', data: { object: 'organization_membership', organization_id: 'org_1' } },
      { ...base, id: 'event_b', event: 'organization.updated', data: { object: 'organization', id: 'org_2' } },
      { ...base, id: 'event_c', event: 'user.created', data: { object: 'user', id: 'user_1' } },
    ];
    await sink.write({ events });
    expect((await drain()).map((m) => m.fields.routingKey)).toEqual([
      'org.org_1.organization_membership.created',
      'org.org_2.organization.updated',
      'org.none.user.created',
    ]);
  });

  it('skips events already confirmed in this process, while a new process publishes them again', async () => {
    await topology();
    const sink = makeSink({});
    const page = samplePage(8, 22);
    await sink.write(page);
    await sink.write(page);
    await sink.write({ events: [...page.events.slice(2, 5), ...page.events.slice(2, 5)] });
    expect((await drain()).map((m) => m.properties.messageId)).toEqual(page.events.map((e) => e.id));
    // What a restart after a crash does: RabbitMQ keeps both copies, consumers de-duplicate on messageId.
    await makeSink({}).write(page);
    expect((await drain()).map((m) => m.properties.messageId)).toEqual(page.events.map((e) => e.id));
  });

  it('with mandatory false, lets the broker drop an event no queue is bound for', async () => {
    await topology('*.*.#');
    const sink = makeSink({ mandatory: false });
    const [event] = samplePage(1, 23).events;
    await sink.write({ events: [{ ...event!, event: 'unroutable' }] });
    expect(await drain()).toEqual([]);
  });

  it('with mandatory (the default), fails as rejected on the unroutable events only, after confirming the rest', async () => {
    await topology('*.*.#');
    const sink = makeSink({});
    const page = samplePage(4, 24);
    const odd = { ...page.events[1]!, event: 'unroutable' };
    const events = [page.events[0]!, odd, page.events[2]!, page.events[3]!];
    const err = await failure(sink.write({ events }));
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    expect(err.message).toContain('"unroutable"');
    expect((await drain()).map((m) => m.properties.messageId)).toEqual([page.events[0]!.id, page.events[2]!.id, page.events[3]!.id]);
    // A retry sends only the event that was returned, and is refused again, until a queue wants it.
    await expect(sink.write({ events })).rejects.toMatchObject({ code: 'WES_ERR_SINK_REJECTED' });
    expect(await drain()).toEqual([]);
    await channel.bindQueue(names, names, 'unroutable');
    await sink.write({ events });
    expect((await drain()).map((m) => m.properties.messageId)).toEqual([odd.id]);
  });

  it('fails as retryable when the broker nacks, keeping what it confirmed', async () => {
    // A full queue with overflow "reject-publish" makes RabbitMQ nack further publishes.
    await topology('#', { 'x-max-length': 2, 'x-overflow': 'reject-publish' });
    const sink = makeSink({});
    const page = samplePage(3, 25);
    await expect(sink.write(page)).rejects.toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    expect((await drain()).map((m) => m.properties.messageId)).toEqual(page.events.slice(0, 2).map((e) => e.id));
    await sink.write(page);
    expect((await drain()).map((m) => m.properties.messageId)).toEqual([page.events[2]!.id]);
  });
});

describe('rabbitmq sink: the exchange', () => {
  it('declares a durable exchange when asked, and opening twice (or a second instance) is harmless', async () => {
    const sink = makeSink({ declare: true, exchangeType: 'fanout' });
    await sink.open();
    await sink.open();
    await makeSink({ declare: true, exchangeType: 'fanout' }).open();
    await sink.probe();
    // A passive declare finds it; a non-durable declare of the same name is refused: it is durable.
    await (await scratchChannel()).checkExchange(names);
    const ch = await scratchChannel();
    await expect(ch.assertExchange(names, 'fanout', { durable: false })).rejects.toMatchObject({ code: 406 });
    await channel.assertQueue(names, { exclusive: true });
    await channel.bindQueue(names, names, '');
    await sink.write(samplePage(2, 26));
    expect(await drain()).toHaveLength(2);
  });

  it('refuses to open, as rejected, when a declared exchange exists with another type (406)', async () => {
    await channel.assertExchange(names, 'direct', { durable: true });
    const sink = makeSink({ declare: true, exchangeType: 'topic' });
    const err = await failure(sink.open());
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    expect(err.message).toContain('PRECONDITION_FAILED');
  });

  it('fails as rejected (404) on a missing exchange without declare, and works once it exists', async () => {
    const sink = makeSink({});
    await sink.open();
    const probe = await failure(sink.probe());
    expect(probe).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    const page = samplePage(3, 27);
    const write = await failure(sink.write(page));
    expect(write).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    expect(write.message).toContain('NOT_FOUND');
    await topology();
    await sink.probe();
    await sink.write(page);
    expect((await drain()).map((m) => m.properties.messageId)).toEqual(page.events.map((e) => e.id));
  });
});

describe('rabbitmq sink: connection loss', () => {
  it('fails fast as retryable while the broker is unreachable, and reconnects by itself once it is back', async () => {
    await topology();
    const proxy = await TcpProxy.start(BROKER);
    try {
      const sink = makeSink({}, `amqp://guest:guest@${proxy.host}:${proxy.port}`);
      await sink.open();
      const before = samplePage(2, 28);
      await sink.write(before);
      await proxy.cut();
      const started = Date.now();
      const page = samplePage(3, 29);
      expect(await failure(sink.write(page))).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
      expect(await failure(sink.probe())).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
      expect(Date.now() - started).toBeLessThan(3000);
      await proxy.restore();
      await sink.probe();
      await sink.write(page);
      await sink.write(before);
      expect((await drain()).map((m) => m.properties.messageId)).toEqual([...before.events, ...page.events].map((e) => e.id));
    } finally {
      await proxy.close();
    }
  });

  it('rejects writes after close, and opens again', async () => {
    await topology();
    const sink = makeSink({});
    await sink.open();
    await sink.close();
    await sink.close();
    expect(await failure(sink.write(samplePage(1, 30)))).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    await sink.open();
    await sink.write(samplePage(1, 31));
    expect(await drain()).toHaveLength(1);
  });

  it('fails as retryable, quickly, when nothing listens at the address', async () => {
    const proxy = await TcpProxy.start(BROKER);
    await proxy.cut();
    const sink = makeSink({}, `amqp://guest:guest@${proxy.host}:${proxy.port}`);
    expect(await failure(sink.open())).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
  });
});
