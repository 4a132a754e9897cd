import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import { rabbitmqSink, rabbitmqSinkConfigSchema } from '../../src/sinks/rabbitmq/rabbitmq-sink.js';
import type { WorkOSEvent } from '../../src/workos/event.js';
import { describeSinkConformance, samplePage } from './sink-conformance.js';

const HOST = '127.0.0.1';
const PORT = 5672;
const names = `wes-conformance-${randomUUID().slice(0, 8)}`;
let admin: ChannelModel | undefined;
let channel: Channel;

describeSinkConformance('rabbitmq', async () => {
  admin = await connect(`amqp://guest:guest@${HOST}:${PORT}`);
  admin.on('error', () => undefined);
  channel = await admin.createChannel();
  // An exclusive queue and an auto-delete exchange vanish with this connection, even after a crash.
  await channel.assertExchange(names, 'topic', { durable: false, autoDelete: true });
  await channel.assertQueue(names, { exclusive: true });
  // Real event types have at least two words (user.created); "unroutable" has one and goes nowhere.
  await channel.bindQueue(names, names, '*.*.#');
  return {
    service: { host: HOST, port: PORT },
    createSink: ({ host, port }) =>
      rabbitmqSink.create(
        rabbitmqSinkConfigSchema.parse({ type: 'rabbitmq', url: `amqp://guest:guest@${host}:${port}`, exchange: names, connectTimeoutMs: 2000, timeoutMs: 5000 }),
        'rabbitmq-test',
        { logger: pino({ level: 'silent' }), stdout: process.stdout },
      ),
    async readBack() {
      const events: WorkOSEvent[] = [];
      for (;;) {
        const message = await channel.get(names, { noAck: true });
        if (message === false) return events;
        events.push(JSON.parse(message.content.toString('utf8')) as WorkOSEvent);
      }
    },
    rejectedPage: () => ({ events: samplePage(1, 9).events.map((e) => ({ ...e, event: 'unroutable' })) }),
    // The suite cleans up in the middle of a test and writes again after: empty the queue, keep it.
    cleanup: async () => {
      await channel.purgeQueue(names);
    },
  };
});

afterAll(async () => {
  if (!admin) return;
  await channel.deleteQueue(names).catch(() => undefined);
  await channel.deleteExchange(names).catch(() => undefined);
  await admin.close();
});
