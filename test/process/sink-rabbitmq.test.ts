import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { copyExampleConfig } from '../support/example-config.js';
import { API_KEY, tempDir } from '../support/harness.js';

let fake: FakeWorkOS;
let admin: ChannelModel;
let channel: Channel;
let names: string;

beforeEach(async () => {
  fake = await startFakeWorkOS();
  names = `wes-process-${randomUUID().slice(0, 8)}`;
  admin = await connect('amqp://guest:guest@127.0.0.1:5672');
  admin.on('error', () => undefined);
  channel = await admin.createChannel();
});
afterEach(async () => {
  await fake.close();
  await channel.deleteQueue(names).catch(() => undefined);
  await channel.deleteExchange(names).catch(() => undefined);
  await admin.close();
});

async function queuedIds(): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const message = await channel.get(names, { noAck: true });
    if (message === false) return ids;
    ids.push(String(message.properties.messageId));
  }
}

describe('the rabbitmq sink, as a new user runs it', () => {
  it('delivers a backlog from the fake WorkOS into RabbitMQ with examples/rabbitmq.json', async () => {
    const dir = await tempDir();
    const configPath = await copyExampleConfig<{ exchange: string }>('rabbitmq.json', dir, (sink, config) => {
      sink.exchange = names;
      config.http = { enabled: false };
    });
    // The consumer's side: a queue bound to every event type (the sink declares the same exchange).
    await channel.assertExchange(names, 'topic', { durable: true });
    await channel.assertQueue(names, { exclusive: true });
    await channel.bindQueue(names, names, '#');
    seedBacklog(fake, 230, { seed: 71 });
    const env = { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url, RABBITMQ_PASSWORD: 'guest' };
    const result = await runCli(['once', '--config', configPath], env);
    expect(result.stderr).not.toContain('"guest:guest@');
    expect(result.code).toBe(0);
    expect(await queuedIds()).toEqual(fake.events.map((e) => e.id));
    // The cursor moved: a second run finds nothing new and publishes nothing.
    const again = await runCli(['once', '--config', configPath], env);
    expect(again.code).toBe(0);
    expect(await queuedIds()).toEqual([]);
  });
});
