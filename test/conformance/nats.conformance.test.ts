import { randomBytes } from 'node:crypto';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import { natsSink, natsSinkConfigSchema } from '../../src/sinks/nats/nats-sink.js';
import type { WorkOSEvent } from '../../src/workos/event.js';
import { describeSinkConformance, samplePage } from './sink-conformance.js';

const NATS = { host: '127.0.0.1', port: 4222 };

/** Every message of a stream, oldest first, parsed back into the events that were published. */
async function readStream(jsm: JetStreamManager, stream: string): Promise<WorkOSEvent[]> {
  let state;
  try {
    state = (await jsm.streams.info(stream)).state;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return [];
    throw err;
  }
  const events: WorkOSEvent[] = [];
  if (state.messages === 0) return events;
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    if (message) events.push(message.json<WorkOSEvent>());
  }
  return events;
}

let admin: NatsConnection | undefined;
afterAll(async () => {
  await admin?.close();
});

describeSinkConformance('nats', async () => {
  admin = await connect({ servers: `${NATS.host}:${NATS.port}`, timeout: 3000 });
  const jsm = await jetstreamManager(admin);
  const suffix = randomBytes(6).toString('hex');
  const stream = `wes_test_${suffix}`;
  // The sink owns the stream (create: true): each test's cleanup deletes it, the next open makes it
  // again, and the outage test shows it being re-created after it vanished under a live sink.
  const config = (host: string, port: number) => natsSinkConfigSchema.parse({
    type: 'nats',
    servers: `nats://${host}:${port}`,
    subject: `wes.test.${suffix}.{event}`,
    stream: { name: stream, create: true, maxMsgSizeBytes: 64 * 1024 },
    timeoutMs: 2000,
    connectTimeoutMs: 2000,
  });
  return {
    service: NATS,
    createSink: ({ host, port }) => natsSink.create(config(host, port), 'nats-test', { logger: pino({ level: 'silent' }), stdout: process.stdout }),
    readBack: () => readStream(jsm, stream),
    rejectedPage: () => {
      const [event] = samplePage(1, 7).events;
      // Larger than the stream's max_msg_size (64 KB), well under the server's max_payload (1 MB).
      return { events: [{ ...event!, data: { ...event!.data, padding: 'x'.repeat(100 * 1024) } }] };
    },
    cleanup: async () => {
      await jsm.streams.delete(stream).catch((err: unknown) => {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
      });
    },
  };
});
