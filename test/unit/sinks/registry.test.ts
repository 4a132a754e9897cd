import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sinkConfigSchema, sinkEntries } from '../../../src/sinks/registry.js';

/** The least config each type accepts, to create an instance without opening it. */
const MINIMAL: Record<string, Record<string, unknown>> = {
  stdout: {},
  jsonl: { path: '/tmp/wes-registry-test.jsonl' },
  http: { url: 'https://app.example.com/webhooks', secret: 'whsec_x' },
  postgres: { url: 'postgres://u@127.0.0.1/db' },
  postgres_mirror: { url: 'postgres://u@127.0.0.1/db' },
  redis_streams: { url: 'redis://127.0.0.1:6379' },
  nats: { servers: 'nats://127.0.0.1:4222' },
  rabbitmq: { url: 'amqp://127.0.0.1:5672', exchange: 'workos' },
  module: { path: './examples/my-sink.mjs' },
};

describe('the sink registry', () => {
  it.each(sinkEntries.map((e) => [e.type, e] as const))('loads the %s implementation with the schema it lists, and says truly whether it keeps its own position', async (type, entry) => {
    const definition = await entry.load();
    expect(definition.type).toBe(type);
    expect(definition.configSchema).toBe(entry.configSchema);
    const config = sinkConfigSchema.parse({ type, ...MINIMAL[type] });
    const sink = definition.create(config as never, type, { logger: pino({ level: 'silent' }), stdout: new PassThrough() });
    expect(Boolean(sink.positions)).toBe(Boolean(entry.keepsPosition));
  });
});
