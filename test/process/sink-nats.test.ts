import { randomBytes } from 'node:crypto';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorkOSEvent } from '../../src/workos/event.js';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { copyExampleConfig } from '../support/example-config.js';
import { API_KEY, tempDir } from '../support/harness.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

let nc: NatsConnection;
let jsm: JetStreamManager;
let fake: FakeWorkOS;
let stream: string;
let suffix: string;

async function storedEvents(): Promise<Array<{ subject: string; msgId: string; event: WorkOSEvent }>> {
  const { state } = await jsm.streams.info(stream);
  const stored = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    if (m) stored.push({ subject: m.subject, msgId: m.header.get('Nats-Msg-Id'), event: m.json<WorkOSEvent>() });
  }
  return stored;
}

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL, timeout: 3000 });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc.close();
});
beforeEach(async () => {
  fake = await startFakeWorkOS();
  suffix = randomBytes(6).toString('hex');
  stream = `wes_test_${suffix}`;
});
afterEach(async () => {
  await fake.close();
  await jsm.streams.delete(stream).catch((err: unknown) => {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
  });
});

describe('the nats example config', () => {
  it("a new user's run with examples/nats.json delivers a backlog from the fake WorkOS into NATS JetStream", async () => {
    seedBacklog(fake, 250, { start: new Date(Date.now() - 3_600_000) });
    const dir = await tempDir('wes-nats-');
    const configPath = await copyExampleConfig<{ subject: string; stream: { name: string } }>('nats.json', dir, (sink) => {
      // Only the names change: a stream and subjects of this run's own.
      sink.subject = sink.subject.replace(/^workos\.events\./, `wes.test.${suffix}.`);
      sink.stream.name = stream;
    });

    const env = { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url };
    const result = await runCli(['once', '--config', configPath], env, dir);
    expect(result.code, result.stderr).toBe(0);

    const info = await jsm.streams.info(stream);
    expect(info.config.subjects).toEqual([`wes.test.${suffix}.>`]);
    expect(info.config.duplicate_window).toBe(nanos(600_000));
    const stored = await storedEvents();
    expect(stored.map((m) => m.event)).toEqual(fake.events.map((e) => JSON.parse(JSON.stringify(e))));
    expect(stored.map((m) => m.msgId)).toEqual(fake.events.map((e) => e.id));
    expect(stored.map((m) => m.subject)).toEqual(fake.events.map((e) => `wes.test.${suffix}.${e.event}`));

    // A second run from scratch (cursor forgotten) replays everything: the duplicate window drops it all.
    const again = await runCli(['once', '--config', configPath, '--reset-cursor'], env, dir);
    expect(again.code, again.stderr).toBe(0);
    expect((await jsm.streams.info(stream)).state.messages).toBe(250);
  });
});
