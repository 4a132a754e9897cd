import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { connect as tcpConnect, createServer } from 'node:net';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { natsSink, natsSinkConfigSchema } from '../../../src/sinks/nats/nats-sink.js';
import type { Sink } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { samplePage } from '../../conformance/sink-conformance.js';
import { captureLogger, tempDir } from '../../support/harness.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const silent = pino({ level: 'silent' });

let nc: NatsConnection;
let jsm: JetStreamManager;
let suffix: string;
let stream: string;
let prefix: string;
let extraStreams: string[] = [];
let sinks: Sink[] = [];

function makeSink(extra: Record<string, unknown> = {}, logger = silent): Sink {
  const config = natsSinkConfigSchema.parse({ type: 'nats', servers: NATS_URL, subject: `${prefix}.{event}`, timeoutMs: 2000, connectTimeoutMs: 2000, ...extra });
  const sink = natsSink.create(config, 'nats-test', { logger, stdout: process.stdout });
  sinks.push(sink);
  return sink;
}

function event(type: string, data: Record<string, unknown>): WorkOSEvent {
  return { object: 'event', id: `event_${randomBytes(8).toString('hex')}`, event: type, data, created_at: new Date().toISOString() };
}

async function deleteStream(name: string): Promise<void> {
  await jsm.streams.delete(name).catch((err: unknown) => {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
  });
}

/** The stored messages of a stream, oldest first. */
async function messages(name: string) {
  const { state } = await jsm.streams.info(name);
  const stored = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(name, { seq });
    if (m) stored.push({ subject: m.subject, msgId: m.header.get('Nats-Msg-Id'), event: m.json<WorkOSEvent>() });
  }
  return stored;
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; retryable?: boolean; message?: string }> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected a failure').toBeDefined();
  return err as { code?: string; retryable?: boolean; message?: string };
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on the port. */
async function listening(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL, timeout: 3000 });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc.close();
});
beforeEach(() => {
  suffix = randomBytes(6).toString('hex');
  stream = `wes_test_${suffix}`;
  prefix = `wes.test.${suffix}`;
});
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
  for (const name of [stream, ...extraStreams.splice(0)]) await deleteStream(name);
});

describe('the nats sink', () => {
  it('publishes each event exactly as sent, with Nats-Msg-Id set to the event id', async () => {
    const sink = makeSink({ stream: { name: stream, create: true } });
    await sink.open();
    const page = samplePage(5, 11);
    await sink.write(page);
    const stored = await messages(stream);
    expect(stored.map((m) => m.msgId)).toEqual(page.events.map((e) => e.id));
    expect(stored.map((m) => m.event)).toEqual(page.events);
  });

  it('lets the duplicate window drop a replayed page: the stream holds one message per event', async () => {
    const sink = makeSink({ stream: { name: stream, create: true } });
    await sink.open();
    const page = samplePage(20, 12);
    await sink.write(page);
    await sink.write(page);
    // A second sink (a restarted daemon) replaying the page is dropped as well.
    const again = makeSink({ stream: { name: stream, create: true } });
    await again.write({ events: page.events.slice(5) });
    const { state } = await jsm.streams.info(stream);
    expect(state.messages).toBe(20);
    expect((await messages(stream)).map((m) => m.event.id)).toEqual(page.events.map((e) => e.id));
  });

  it('stores events in page order across pages', async () => {
    const sink = makeSink({ stream: { name: stream, create: true } });
    await sink.open();
    const all = samplePage(300, 13).events;
    for (let i = 0; i < all.length; i += 100) await sink.write({ events: all.slice(i, i + 100) });
    expect((await messages(stream)).map((m) => m.event.id)).toEqual(all.map((e) => e.id));
  });

  it('creates the stream with the configured subjects, duplicate window and storage when stream.create is true', async () => {
    const { logger, lines } = captureLogger('info');
    await makeSink({ stream: { name: stream, create: true, maxAgeMs: 3_600_000 } }, logger).open();
    const { config } = await jsm.streams.info(stream);
    expect(config.subjects).toEqual([`${prefix}.>`]);
    expect(config.duplicate_window).toBe(nanos(600_000));
    expect(config.max_age).toBe(nanos(3_600_000));
    expect(config.storage).toBe(StorageType.File);
    expect(config.num_replicas).toBe(1);
    expect(lines.some((l) => l['msg'] === 'created the JetStream stream' && l['stream'] === stream)).toBe(true);

    const explicit = `wes_test_x${suffix}`;
    extraStreams.push(explicit);
    await makeSink({ subject: `${prefix}x.{organization_id}.{event}`, stream: { name: explicit, create: true, subjects: [`${prefix}x.*.>`], duplicateWindowMs: 120_000, storage: 'memory' } }).open();
    const created = (await jsm.streams.info(explicit)).config;
    expect(created.subjects).toEqual([`${prefix}x.*.>`]);
    expect(created.duplicate_window).toBe(nanos(120_000));
    expect(created.storage).toBe(StorageType.Memory);
  });

  it('leaves an existing stream as it is when opened again, logging the differences at info', async () => {
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], duplicate_window: nanos(120_000) });
    const { logger, lines } = captureLogger('info');
    const first = makeSink({ stream: { name: stream, create: true } }, logger);
    await first.open();
    await makeSink({ stream: { name: stream, create: true } }, logger).open();
    expect((await jsm.streams.info(stream)).config.duplicate_window).toBe(nanos(120_000));
    const notes = lines.filter((l) => l['msg'] === 'the JetStream stream already exists with other settings; left as it is');
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatchObject({ level: 30, stream, differences: { duplicate_window_ms: { existing: 120_000, configured: 600_000 } } });
    await first.write(samplePage(3, 14));
    expect((await jsm.streams.info(stream)).state.messages).toBe(3);
  });

  it('makes the stream again when a stream it owns disappears', async () => {
    const sink = makeSink({ stream: { name: stream, create: true } });
    await sink.open();
    await sink.write(samplePage(2, 15));
    await jsm.streams.delete(stream);
    const page = samplePage(4, 16);
    await sink.write(page);
    expect((await messages(stream)).map((m) => m.event.id)).toEqual(page.events.map((e) => e.id));
  });

  it('fails as rejected when no stream captures the subject', async () => {
    const sink = makeSink();
    await sink.open();
    const err = await failure(sink.write(samplePage(2, 17)));
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    expect(err.message).toMatch(/no responders/);
  });

  it('refuses to open when the named stream does not exist and create is false', async () => {
    const sink = makeSink({ stream: { name: stream } });
    const err = await failure(sink.open());
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    expect(err.message).toContain(`the JetStream stream "${stream}" does not exist`);
  });

  it('fails as rejected when the subject is stored by another stream than the configured one', async () => {
    const other = `wes_test_o${suffix}`;
    extraStreams.push(other);
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
    await jsm.streams.add({ name: other, subjects: [`${prefix}o.>`] });
    const sink = makeSink({ stream: { name: other } });
    await sink.open();
    const err = await failure(sink.write(samplePage(2, 18)));
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    expect(err.message).toMatch(/JetStream error 10060/);
  });

  it('names the subject after the event type and the organization, "none" when there is none', async () => {
    const sink = makeSink({ subject: `${prefix}.{organization_id}.{event}`, stream: { name: stream, create: true } });
    await sink.open();
    const events = [
      event('dsync.user.created', { object: 'directory_user', id: 'directory_user_1', organization_id: 'org_01ABC' }),
      event('user.created', { object: 'user', id: 'user_1' }),
      event('organization.updated', { object: 'organization', id: 'org_01XYZ' }),
      event('authentication.sso_succeeded', { sso: { organization_id: 'org_01SSO' } }),
    ];
    await sink.write({ events });
    expect((await messages(stream)).map((m) => m.subject)).toEqual([
      `${prefix}.org_01ABC.dsync.user.created`,
      `${prefix}.none.user.created`,
      `${prefix}.org_01XYZ.organization.updated`,
      `${prefix}.org_01SSO.authentication.sso_succeeded`,
    ]);
  });

  it('fails as retryable when an acknowledgement does not come within timeoutMs', async () => {
    // A plain subscriber that never answers: the publish has a responder but no JetStream ack.
    const sub = nc.subscribe(`${prefix}.>`);
    await nc.flush();
    try {
      const sink = makeSink({ timeoutMs: 300 });
      await sink.open();
      const started = Date.now();
      const err = await failure(sink.write(samplePage(3, 19)));
      expect(err).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      sub.unsubscribe();
    }
  });

  it('fails to open as retryable, within connectTimeoutMs, when nothing listens', async () => {
    const sink = makeSink({ servers: `nats://127.0.0.1:${await closedPort()}` });
    const started = Date.now();
    const err = await failure(sink.open());
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    expect(Date.now() - started).toBeLessThan(2500);
    await expect(sink.probe()).rejects.toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE' });
  });

  it('probes JetStream, and fails the probe when the stream it must not create is gone', async () => {
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
    const sink = makeSink({ stream: { name: stream } });
    await sink.open();
    await sink.probe();
    await jsm.streams.delete(stream);
    await expect(sink.probe()).rejects.toMatchObject({ code: 'WES_ERR_SINK_REJECTED' });
    await expect(makeSink().probe()).resolves.toBeUndefined();
  });

  it('refuses writes after close, and opens again', async () => {
    const sink = makeSink({ stream: { name: stream, create: true } });
    await sink.open();
    await sink.close();
    await expect(sink.write(samplePage(1, 20))).rejects.toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE' });
    await sink.open();
    await sink.write(samplePage(1, 21));
    expect((await jsm.streams.info(stream)).state.messages).toBe(1);
  });

  it('fails a write in flight at once as retryable when the connection drops, and recovers', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(NATS_URL).port || 4222) });
    // A plain subscriber that never answers keeps the publishes waiting for their acks.
    const sub = nc.subscribe(`${prefix}.>`);
    await nc.flush();
    try {
      const sink = makeSink({ servers: `nats://${proxy.host}:${proxy.port}`, timeoutMs: 10_000 });
      await sink.open();
      const writing = failure(sink.write(samplePage(3, 22)));
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      await proxy.cut();
      const err = await writing;
      expect(err).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(sink.write(samplePage(1, 23))).rejects.toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE' });
      sub.unsubscribe();
      await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
      await proxy.restore();
      const page = samplePage(2, 24);
      for (let attempt = 0; ; attempt++) {
        try {
          await sink.write(page);
          break;
        } catch (e) {
          if (attempt > 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect((await messages(stream)).map((m) => m.event.id)).toEqual(page.events.map((e) => e.id));
    } finally {
      sub.unsubscribe();
      await proxy.close();
    }
  });
});

describe('the nats sink against a server that requires credentials', () => {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let server: ChildProcess;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    port = await closedPort();
    dir = await tempDir('wes-nats-');
    server = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '--user', 'wes', '--pass', password, '-js', '-sd', dir], { stdio: 'ignore' });
    await listening(port);
  });
  afterAll(async () => {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('authenticates with user and pass, and never logs the password', async () => {
    const { logger, lines } = captureLogger('debug');
    const sink = makeSink({ servers: `nats://127.0.0.1:${port}`, user: 'wes', pass: password, stream: { name: stream, create: true } }, logger);
    await sink.open();
    await sink.write(samplePage(2, 25));
    await sink.probe();
    await sink.close();
    const withUrl = makeSink({ servers: `nats://wes:${password}@127.0.0.1:${port}`, stream: { name: stream, create: true } }, logger);
    await withUrl.write(samplePage(1, 26));
    await withUrl.close();
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain(password);
  });

  it('fails as rejected when the credentials are refused, without the password in the error', async () => {
    const sink = makeSink({ servers: `nats://127.0.0.1:${port}`, user: 'wes', pass: 'wrong-password' });
    const err = await failure(sink.open());
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    const leaky = makeSink({ servers: `nats://wes:wrong-${password}@127.0.0.1:${port}` });
    const err2 = await failure(leaky.open());
    expect(err2).toMatchObject({ code: 'WES_ERR_SINK_REJECTED' });
    expect(err2.message).not.toContain(password);
  });
});
