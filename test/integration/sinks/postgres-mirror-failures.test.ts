import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isWesError } from '../../../src/errors.js';
import { postgresMirrorSink, postgresMirrorSinkConfigSchema } from '../../../src/sinks/postgres-mirror/postgres-mirror-sink.js';
import type { Sink, SinkPage } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { createEventFactory } from '../../fakes/event-factory.js';
import { createEventIdGenerator } from '../../fakes/event-ids.js';
import { captureLogger, POSTGRES_URL, postgresUrlWith } from '../../support/harness.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });

let schema: string;
let sinks: Sink[] = [];
const cleanups: Array<() => Promise<void>> = [];

function makeSink(extra: Record<string, unknown> = {}, logger: Logger = pino({ level: 'silent' })): Sink {
  const config = postgresMirrorSinkConfigSchema.parse({ type: 'postgres_mirror', url: POSTGRES_URL, schema, connectTimeoutMs: 2000, ...extra });
  const sink = postgresMirrorSink.create(config, 'mirror-test', { logger, stdout: process.stdout });
  sinks.push(sink);
  return sink;
}

/** A page of the lifecycle stream, events `from`..`from + n`. */
function lifecyclePage(from: number, n: number, seed = 21): SinkPage {
  const factory = createEventFactory(seed, { profile: 'lifecycle' });
  const nextId = createEventIdGenerator(() => 0.5);
  const start = Date.parse('2026-03-01T10:00:00.000Z');
  const events: WorkOSEvent[] = [];
  for (let i = 0; i < from + n; i++) {
    const at = new Date(start + i * 1000);
    const generated = factory.next(at);
    const id = nextId(at.getTime());
    if (i >= from) events.push({ object: 'event', id, event: generated.type, data: generated.data, created_at: at.toISOString() });
  }
  return { events };
}

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);
const organizations = async () => Number((await admin.query<{ n: string }>(`select count(*) as n from "${schema}".organizations`)).rows[0]!.n);

beforeEach(() => {
  schema = `wes_mirror_test_${randomBytes(6).toString('hex')}`;
});
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await admin.query(`drop schema if exists "${schema}" cascade`);
});
afterAll(async () => {
  await admin.end();
});

describe('postgres_mirror config', () => {
  it('has the documented defaults and refuses unknown keys and names that are not SQL names', () => {
    expect(postgresMirrorSinkConfigSchema.parse({ type: 'postgres_mirror', url: 'postgres://db/app' })).toEqual({
      type: 'postgres_mirror', url: 'postgres://db/app', schema: 'workos_mirror', poolSize: 2, connectTimeoutMs: 5000, statementTimeoutMs: 30000, onFailure: 'halt',
    });
    expect(postgresMirrorSinkConfigSchema.safeParse({ type: 'postgres_mirror', url: 'postgres://db/app', table: 'x' }).success).toBe(false);
    expect(postgresMirrorSinkConfigSchema.safeParse({ type: 'postgres_mirror', url: 'postgres://db/app', schema: 'drop table;' }).success).toBe(false);
    expect(postgresMirrorSinkConfigSchema.safeParse({ type: 'postgres_mirror', url: 'mysql://db/app' }).success).toBe(false);
  });
});

describe('postgres_mirror lifecycle and failures', () => {
  it('opens and closes twice, probes while open, and refuses work once closed', async () => {
    const sink = makeSink();
    await sink.open();
    await sink.open();
    await sink.probe();
    await sink.close();
    await sink.close();
    expect(await failure(sink.write(lifecyclePage(0, 5)))).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    expect(await failure(sink.probe())).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE' });
  });

  it('fails as retryable within seconds while Postgres is unreachable, and catches up once it is back', async () => {
    const target = new URL(POSTGRES_URL);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    cleanups.push(() => proxy.close());
    const sink = makeSink({ url: postgresUrlWith((u) => { u.hostname = proxy.host; u.port = String(proxy.port); }) });
    await sink.write(lifecyclePage(0, 50));
    await proxy.cut();
    const started = Date.now();
    const err = await failure(sink.write(lifecyclePage(50, 50)));
    expect(isWesError(err), String(err)).toBe(true);
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await failure(sink.probe())).toMatchObject({ retryable: true });
    await proxy.restore();
    let last: unknown = 'not tried';
    for (let attempt = 0; attempt < 50 && last !== undefined; attempt++) {
      last = await failure(sink.write(lifecyclePage(50, 50)));
      if (last !== undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(last).toBeUndefined();
    // The same result as a mirror that never saw an outage.
    const reference = makeSink({ schema: `${schema}_ref` });
    cleanups.push(async () => void (await admin.query(`drop schema if exists "${schema}_ref" cascade`)));
    await reference.write(lifecyclePage(0, 100));
    const dump = async (s: string) => (await admin.query(`select id, raw, deleted_at from "${s}".users order by id`)).rows;
    expect(await dump(schema)).toEqual(await dump(`${schema}_ref`));
  });

  it('fails to open as retryable when nothing listens, and as rejected for a database that does not exist', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const closedPort = makeSink({ url: postgresUrlWith((u) => { u.hostname = '127.0.0.1'; u.port = String(port); }) });
    expect(await failure(closedPort.open())).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });

    const missing = makeSink({ url: postgresUrlWith((u) => { u.pathname = `/no_such_db_${randomBytes(3).toString('hex')}`; }) });
    const err = await failure(missing.open());
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    expect((err as Error).message).toContain('3D000');
  });

  it('fails as retryable when a lock elsewhere outlasts statementTimeoutMs, and writes once it is released', async () => {
    const sink = makeSink({ statementTimeoutMs: 300 });
    await sink.write(lifecyclePage(0, 20));
    const blocker = await admin.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`lock table "${schema}".organizations in access exclusive mode`);
      const err = await failure(sink.write(lifecyclePage(20, 80)));
      expect(err).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
      expect((err as Error).message).toContain('57014');
    } finally {
      await blocker.query('rollback');
      blocker.release();
    }
    await sink.write(lifecyclePage(20, 80));
    expect(await organizations()).toBeGreaterThan(0);
  });

  it('settles a write that is in flight when the sink closes', async () => {
    const sink = makeSink();
    await sink.open();
    const writing = sink.write(lifecyclePage(0, 100)).then(() => 'written', (err: unknown) => (isWesError(err) ? 'failed' : `odd: ${String(err)}`));
    await sink.close();
    expect(['written', 'failed']).toContain(await writing);
  });

  it('never logs the password of its URL', async () => {
    const { logger, lines } = captureLogger('debug');
    const sink = makeSink({ url: postgresUrlWith((u) => { u.password = 'hunter2-secret'; }) }, logger);
    await sink.write(lifecyclePage(0, 10));
    await sink.close();
    expect(lines.some((l) => l['msg'] === 'migrated the Postgres mirror')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('hunter2-secret');
  });
});
