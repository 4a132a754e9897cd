import { randomUUID } from 'node:crypto';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rabbitmqSink, rabbitmqSinkConfigSchema } from '../../../src/sinks/rabbitmq/rabbitmq-sink.js';
import type { Sink } from '../../../src/sinks/sink.js';
import { samplePage } from '../../conformance/sink-conformance.js';

const BROKER = { host: '127.0.0.1', port: 5672 };

/**
 * A proxy that can hold back what the broker sends (confirms included) while still passing on
 * what the client sends: a broker that took the messages but has not confirmed them yet.
 */
class GateProxy {
  private held = false;
  private readonly backlog: Array<{ to: Socket; chunk: Buffer }> = [];
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<GateProxy> {
    const server = createServer();
    const proxy = new GateProxy(server);
    server.on('connection', (client) => proxy.pipe(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  private pipe(client: Socket): void {
    const upstream = tcpConnect(BROKER.port, BROKER.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => this.sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (this.held) this.backlog.push({ to: client, chunk });
      else client.write(chunk);
    });
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    for (const { to, chunk } of this.backlog.splice(0)) if (!to.destroyed) to.write(chunk);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let admin: ChannelModel;
let channel: Channel;
let names: string;
let gate: GateProxy;
let sinks: Sink[] = [];

function makeSink(config: Record<string, unknown> = {}): Sink {
  const sink = rabbitmqSink.create(
    rabbitmqSinkConfigSchema.parse({ type: 'rabbitmq', url: `amqp://guest:guest@127.0.0.1:${gate.port}`, exchange: names, connectTimeoutMs: 2000, ...config }),
    'rabbitmq-test',
    { logger: pino({ level: 'silent' }), stdout: new PassThrough() },
  );
  sinks.push(sink);
  return sink;
}

async function queued(): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const message: GetMessage | false = await channel.get(names, { noAck: true });
    if (message === false) return ids;
    ids.push(String(message.properties.messageId));
  }
}

function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  return new Promise((resolve) => setImmediate(() => resolve(settled)));
}

beforeAll(async () => {
  admin = await connect(`amqp://guest:guest@${BROKER.host}:${BROKER.port}`);
  admin.on('error', () => undefined);
  channel = await admin.createChannel();
});
afterAll(async () => {
  await admin.close();
});
beforeEach(async () => {
  names = `wes-test-${randomUUID().slice(0, 8)}`;
  gate = await GateProxy.start();
  await channel.assertExchange(names, 'topic', { durable: false, autoDelete: true });
  await channel.assertQueue(names, { exclusive: true });
  await channel.bindQueue(names, names, '#');
});
afterEach(async () => {
  gate.release();
  for (const sink of sinks.splice(0)) await sink.close();
  await gate.close();
  await channel.deleteQueue(names).catch(() => undefined);
  await channel.deleteExchange(names).catch(() => undefined);
});

describe('rabbitmq sink: publisher confirms', () => {
  it('resolves a write only once the broker has confirmed every message', async () => {
    const sink = makeSink();
    await sink.open();
    gate.hold();
    const page = samplePage(5, 41);
    const writing = sink.write(page);
    await new Promise((r) => setTimeout(r, 400));
    // The broker has the messages, but the write waits for its confirms.
    expect(await queued()).toEqual(page.events.map((e) => e.id));
    expect(await settledYet(writing)).toBe(false);
    gate.release();
    await writing;
  });

  it('fails as retryable when no confirm comes within timeoutMs, and the retry publishes on a fresh connection', async () => {
    const sink = makeSink({ timeoutMs: 500 });
    await sink.open();
    gate.hold();
    const page = samplePage(3, 42);
    const started = Date.now();
    await expect(sink.write(page)).rejects.toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    expect(Date.now() - started).toBeLessThan(2000);
    gate.release();
    await sink.write(page);
    // Unconfirmed messages are published again: RabbitMQ keeps both, consumers de-duplicate on messageId.
    const ids = page.events.map((e) => e.id);
    expect(await queued()).toEqual([...ids, ...ids]);
  });

  it('settles a write held by a broker that stopped answering when the sink closes', async () => {
    const sink = makeSink({ timeoutMs: 800 });
    await sink.open();
    gate.hold();
    const writing = sink.write(samplePage(2, 43)).then(() => 'written', (err: unknown) => (err as { code?: string }).code);
    const started = Date.now();
    await sink.close();
    expect(await writing).toBe('WES_ERR_SINK_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
