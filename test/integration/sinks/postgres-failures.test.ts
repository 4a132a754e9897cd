import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pg, { DatabaseError } from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WesError } from '../../../src/errors.js';
import { classifyPostgresError } from '../../../src/postgres/classify-postgres-error.js';
import { postgresSink, postgresSinkConfigSchema } from '../../../src/sinks/postgres/postgres-sink.js';
import type { Sink } from '../../../src/sinks/sink.js';
import { captureLogger, POSTGRES_URL, postgresUrlWith } from '../../support/harness.js';
import { samplePage } from '../../conformance/sink-conformance.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });

let suffix: string;
let schema: string;
let table: string;
let sinks: Sink[] = [];
const cleanups: Array<() => Promise<void>> = [];

function makeSink(extra: Record<string, unknown> = {}, logger = pino({ level: 'silent' })): Sink {
  // A connection name of this test's own, so it can terminate exactly its sink's connections.
  const url = postgresUrlWith((u) => u.searchParams.set('application_name', `wes_${suffix}`));
  const config = postgresSinkConfigSchema.parse({ type: 'postgres', url, schema, table, ...extra });
  const sink = postgresSink.create(config, 'pg-test', { logger, stdout: process.stdout });
  sinks.push(sink);
  return sink;
}

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);

beforeEach(() => {
  suffix = randomBytes(6).toString('hex');
  schema = `wes_test_${suffix}`;
  table = `workos_events_test_${suffix}`;
});
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await admin.query(`drop schema if exists "${schema}" cascade`);
});
afterAll(async () => {
  await admin.end();
});

function serverError(code: string): DatabaseError {
  const err = new DatabaseError('server said no', 0, 'error');
  err.code = code;
  return err;
}

describe('postgres failure classification', () => {
  it('classifies by SQLSTATE: connection, shutdown, capacity, conflicts and timeouts are retryable', () => {
    for (const code of ['08006', '08001', '57P01', '57P03', '53300', '40001', '40P01', '57014', '25006']) {
      expect(classifyPostgresError('pg', 'write', serverError(code)), code).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    }
  });

  it('classifies data, integrity, auth, unknown database and SQL errors as rejected', () => {
    for (const code of ['22P05', '22001', '23502', '23514', '28P01', '3D000', '42P01', '42501', '42601']) {
      expect(classifyPostgresError('pg', 'write', serverError(code)), code).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    }
  });

  it('classifies errors without a SQLSTATE (errno, a terminated connection) as retryable, and keeps the cause', () => {
    for (const errno of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']) {
      const cause = Object.assign(new Error('socket trouble'), { code: errno });
      expect(classifyPostgresError('pg', 'write', cause)).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true, cause });
    }
    expect(classifyPostgresError('pg', 'write', new Error('Connection terminated unexpectedly')).retryable).toBe(true);
    const wes = new WesError('WES_ERR_SINK_REJECTED', 'already classified');
    expect(classifyPostgresError('pg', 'write', wes)).toBe(wes);
  });
});

describe('the postgres sink when things go wrong', () => {
  it('fails as retryable when a statement outlives statementTimeoutMs, and writes once the lock is gone', async () => {
    const sink = makeSink({ statementTimeoutMs: 300 });
    await sink.open();
    const locker = await admin.connect();
    try {
      await locker.query('begin');
      await locker.query(`lock table "${schema}"."${table}" in access exclusive mode`);
      const started = Date.now();
      const err = await failure(sink.write(samplePage(3, 1)));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(err).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true, cause: expect.objectContaining({ code: '57014' }) });
    } finally {
      await locker.query('rollback');
      locker.release();
    }
    await sink.write(samplePage(3, 1));
  });

  it('fails as retryable within connectTimeoutMs when the server accepts but never answers', async () => {
    const sockets = new Set<Socket>();
    const silentServer: Server = createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silentServer.close(resolve));
    });
    const port = (silentServer.address() as { port: number }).port;
    const sink = makeSink({ url: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 500 });
    for (const attempt of [() => sink.open(), () => sink.write(samplePage(2, 2)), () => sink.probe()]) {
      const started = Date.now();
      const err = await failure(attempt());
      expect(Date.now() - started).toBeLessThan(2500);
      expect(err).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    }
  });

  it('fails as rejected on an unknown database, without the password in the message', async () => {
    const url = postgresUrlWith((u) => {
      u.pathname = `/no_such_db_${suffix}`;
      u.password = 'Sup3rSecretPw';
    });
    const err = await failure(makeSink({ url }).open());
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false, cause: expect.objectContaining({ code: '3D000' }) });
    expect((err as Error).message).not.toContain('Sup3rSecretPw');
  });

  it('fails as rejected when the table was dropped from under it', async () => {
    const sink = makeSink();
    await sink.write(samplePage(2, 3));
    await admin.query(`drop table "${schema}"."${table}"`);
    const err = await failure(sink.write(samplePage(2, 4)));
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', cause: expect.objectContaining({ code: '42P01' }) });
  });

  it('survives the server terminating its connections, and writes again on fresh ones', async () => {
    const { logger, lines } = captureLogger('warn');
    const sink = makeSink({ poolSize: 2 }, logger);
    await sink.write(samplePage(5, 5));
    const killed = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [`wes_${suffix}`]);
    expect(killed.rowCount).toBeGreaterThan(0);
    // The idle connection's 'error' is handled (an unhandled one would fail this test file).
    await expect.poll(() => lines.some((l) => l.msg === 'an idle Postgres connection failed; the pool will open a new one')).toBe(true);
    await sink.write(samplePage(5, 6));
    await sink.probe();
    const { rows } = await admin.query<{ n: string }>(`select count(*) as n from "${schema}"."${table}"`);
    expect(Number(rows[0]!.n)).toBe(10);
  });

  it('fails as retryable after close, and works again once reopened', async () => {
    const sink = makeSink();
    await sink.open();
    await sink.close();
    expect(await failure(sink.write(samplePage(1, 7)))).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    expect(await failure(sink.probe())).toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true });
    await sink.open();
    await sink.write(samplePage(1, 7));
    await sink.probe();
  });

  it('logs the URL with the password masked', async () => {
    const { logger, lines } = captureLogger('info');
    await makeSink({ url: postgresUrlWith((u) => (u.password = 'Sup3rSecretPw')) }, logger).open();
    expect(lines.find((l) => l.msg === 'migrated the Postgres table')).toMatchObject({ url: expect.stringContaining(':***@'), applied: [1, 2], version: 2 });
    expect(JSON.stringify(lines)).not.toContain('Sup3rSecretPw');
  });

  it('refuses, as rejected, a role that may not create the table; once created, SELECT and INSERT are enough, and UPDATE on the positions', async () => {
    const role = `wes_role_${suffix}`;
    await admin.query(`create role "${role}" login`);
    cleanups.push(async () => {
      await admin.query(`drop owned by "${role}"`);
      await admin.query(`drop role "${role}"`);
    });
    const limitedUrl = postgresUrlWith((u) => (u.username = role));
    const err = await failure(makeSink({ url: limitedUrl }).open());
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', cause: expect.objectContaining({ code: '42501' }) });
    await makeSink().open();
    await admin.query(`grant usage on schema "${schema}" to "${role}"`);
    await admin.query(`grant select, insert on "${schema}"."${table}", "${schema}"."${table}_migrations" to "${role}"`);
    await admin.query(`grant select, insert, update on "${schema}"."${table}_positions" to "${role}"`);
    const limited = makeSink({ url: limitedUrl });
    await limited.open();
    const page = samplePage(4, 8);
    await limited.write(page);
    const last = page.events.at(-1)!;
    const position = { id: last.id, createdAt: last.created_at, filter: { events: [], organizationId: null } };
    await limited.write({ ...page, commit: { position, expected: null } });
    await limited.write({ events: [], commit: { position, expected: position } });
    expect(await limited.positions!.read()).toEqual(position);
    const { rows } = await admin.query<{ n: string }>(`select count(*) as n from "${schema}"."${table}"`);
    expect(Number(rows[0]!.n)).toBe(4);
  });
});
