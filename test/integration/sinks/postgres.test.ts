import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresSink, postgresSinkConfigSchema } from '../../../src/sinks/postgres/postgres-sink.js';
import { insertPage } from '../../../src/sinks/postgres/insert-page.js';
import { eventRow } from '../../../src/sinks/postgres/event-row.js';
import type { Sink } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { samplePage } from '../../conformance/sink-conformance.js';
import { POSTGRES_URL } from '../../support/services.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
const silent = pino({ level: 'silent' });

let schema: string;
let table: string;
let sinks: Sink[] = [];

function makeSink(extra: Record<string, unknown> = {}): Sink {
  const config = postgresSinkConfigSchema.parse({ type: 'postgres', url: POSTGRES_URL, schema, table, ...extra });
  const sink = postgresSink.create(config, 'pg-test', { logger: silent, stdout: process.stdout });
  sinks.push(sink);
  return sink;
}

const events = () => `"${schema}"."${table}"`;
const count = async () => Number((await admin.query<{ n: string }>(`select count(*) as n from ${events()}`)).rows[0]!.n);

function event(type: string, data: Record<string, unknown>, createdAt: string, extra: Record<string, unknown> = {}): WorkOSEvent {
  return { object: 'event', id: `event_${randomBytes(8).toString('hex')}`, event: type, data, created_at: createdAt, ...extra };
}

beforeEach(() => {
  const suffix = randomBytes(6).toString('hex');
  schema = `wes_test_${suffix}`;
  table = `workos_events_test_${suffix}`;
});
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
  await admin.query(`drop schema if exists "${schema}" cascade`);
});
afterAll(async () => {
  await admin.end();
});

describe('the postgres sink', () => {
  it('creates the schema, the table with its columns and indexes, the positions table, and records migrations 1 and 2, on open', async () => {
    await makeSink().open();
    const columns = await admin.query<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
      'select column_name, data_type, is_nullable, column_default from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position',
      [schema, table],
    );
    expect(columns.rows).toEqual([
      { column_name: 'id', data_type: 'text', is_nullable: 'NO', column_default: null },
      { column_name: 'event_type', data_type: 'text', is_nullable: 'NO', column_default: null },
      { column_name: 'organization_id', data_type: 'text', is_nullable: 'YES', column_default: null },
      { column_name: 'created_at', data_type: 'timestamp with time zone', is_nullable: 'NO', column_default: null },
      { column_name: 'payload', data_type: 'jsonb', is_nullable: 'NO', column_default: null },
      { column_name: 'received_at', data_type: 'timestamp with time zone', is_nullable: 'NO', column_default: 'now()' },
    ]);
    const indexes = await admin.query<{ indexdef: string }>('select indexdef from pg_indexes where schemaname = $1 and tablename = $2 order by indexname', [schema, table]);
    const defs = indexes.rows.map((r) => r.indexdef.replace(/^.* USING /, ''));
    expect(defs.sort()).toEqual(['btree (event_type, created_at)', 'btree (id)', 'btree (organization_id, created_at)']);
    const positions = await admin.query<{ column_name: string; data_type: string }>(
      'select column_name, data_type from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position',
      [schema, `${table}_positions`],
    );
    expect(positions.rows.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      'sink text', 'event_id text', 'event_created_at text', 'filter jsonb', 'lease_token text', 'committed_at timestamp with time zone',
    ]);
    const migrations = await admin.query<{ version: number }>(`select version, applied_at from "${schema}"."${table}_migrations" order by version`);
    expect(migrations.rows).toEqual([{ version: 1, applied_at: expect.any(Date) }, { version: 2, applied_at: expect.any(Date) }]);
  });

  it('is safe to open twice, and from several sinks at once, applying each migration once', async () => {
    await Promise.all(Array.from({ length: 5 }, () => makeSink().open()));
    const sink = makeSink();
    await sink.open();
    await sink.open();
    const migrations = await admin.query(`select version from "${schema}"."${table}_migrations" order by version`);
    expect(migrations.rows).toEqual([{ version: 1 }, { version: 2 }]);
    await sink.write(samplePage(3, 1));
    expect(await count()).toBe(3);
  });

  it('opens sinks of different tables at once on a schema that does not exist yet', async () => {
    await Promise.all(Array.from({ length: 4 }, (_, i) => makeSink({ table: `${table}_${i}` }).open()));
    const tables = await admin.query('select table_name from information_schema.tables where table_schema = $1', [schema]);
    // Each with its migrations and positions tables.
    expect(tables.rowCount).toBe(12);
  });

  it('fills the columns: organization from data.organization_id or the organization itself, created_at as UTC from the older format', async () => {
    const sink = makeSink();
    await sink.open();
    const membership = event('organization_membership.created', { object: 'organization_membership', id: 'om_1', organization_id: 'org_A' }, '2023-04-28 20:05:31.093');
    const organization = event('organization.updated', { object: 'organization', id: 'org_B', name: 'B' }, '2024-01-02T03:04:05.678Z');
    const user = event('user.created', { object: 'user', id: 'user_1' }, '2024-01-02T03:04:06.000Z');
    const future = event('widget.frobbed', { id: 'w_1', nested: { deep: [1, 'two', null] } }, '2024-01-02T03:04:07+02:00', { context: { actor: 'x' }, new_field: true });
    const before = Date.now();
    await sink.write({ events: [membership, organization, user, future] });
    const { rows } = await admin.query<{ id: string; event_type: string; organization_id: string | null; created_at: Date; payload: unknown; received_at: Date }>(
      `select * from ${events()} order by created_at, id`,
    );
    expect(rows.map((r) => [r.id, r.event_type, r.organization_id, r.created_at.toISOString()])).toEqual([
      [membership.id, 'organization_membership.created', 'org_A', '2023-04-28T20:05:31.093Z'],
      [future.id, 'widget.frobbed', null, '2024-01-02T01:04:07.000Z'],
      [organization.id, 'organization.updated', 'org_B', '2024-01-02T03:04:05.678Z'],
      [user.id, 'user.created', null, '2024-01-02T03:04:06.000Z'],
    ]);
    expect(rows.map((r) => r.payload)).toEqual([membership, future, organization, user]);
    for (const r of rows) expect(r.received_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('writes a page as one transaction: one event Postgres refuses stores none of the page', async () => {
    const sink = makeSink();
    await sink.open();
    const page = samplePage(5, 2);
    const bad = { ...page.events[3]!, data: { note: 'NUL \u0000 here' } };
    const err = await sink.write({ events: [...page.events.slice(0, 3), bad, page.events[4]!] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false, cause: expect.objectContaining({ code: '22P05' }) });
    expect(await count()).toBe(0);
    await sink.write(page);
    expect(await count()).toBe(5);
  });

  it('inserts a page of any size with one statement: all of it or none', async () => {
    await makeSink().open();
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
    try {
      // More rows than a values list could bind (65535 parameters / 5 per row).
      const rows = Array.from({ length: 14 }, (_, i) => samplePage(1000, 10 + i).events).flat().map((e) => eventRow('pg-test', e));
      const bad = eventRow('pg-test', { ...samplePage(1, 4).events[0]!, data: { x: '\u0000' } });
      await expect(insertPage(pool, events(), [...rows, bad])).rejects.toMatchObject({ code: '22P05' });
      expect(await count()).toBe(0);
      expect(await insertPage(pool, events(), rows)).toBe(rows.length);
      expect(await insertPage(pool, events(), rows)).toBe(0);
    } finally {
      await pool.end();
    }
    expect(await count()).toBe(14_000);
  });

  it('adds nothing when a page is replayed, whole or in part, and keeps the first received_at', async () => {
    const sink = makeSink();
    await sink.open();
    const page = samplePage(20, 5);
    await sink.write(page);
    const first = await admin.query(`select id, received_at from ${events()} order by id`);
    await sink.write(page);
    await sink.write({ events: page.events.slice(5, 12) });
    await sink.write({ events: [...page.events.slice(0, 2), ...samplePage(1, 6).events] });
    expect(await count()).toBe(21);
    const after = await admin.query(`select id, received_at from ${events()} where id = any($1) order by id`, [page.events.map((e) => e.id)]);
    expect(after.rows).toEqual(first.rows);
  });

  it('writes a 150-event page', async () => {
    const sink = makeSink();
    const page = samplePage(150, 8);
    await sink.write(page);
    const { rows } = await admin.query<{ payload: WorkOSEvent }>(`select payload from ${events()} order by created_at, id`);
    expect(rows.map((r) => r.payload)).toEqual(page.events);
  });

  it('refuses, as rejected and before any I/O, an event whose created_at is not a time', async () => {
    const sink = makeSink();
    const err = await sink.write({ events: [event('user.created', {}, 'yesterday')] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    const exists = await admin.query('select 1 from pg_namespace where nspname = $1', [schema]);
    expect(exists.rowCount).toBe(0);
  });
});

describe('the postgres sink config', () => {
  const parse = (extra: Record<string, unknown>) => postgresSinkConfigSchema.safeParse({ type: 'postgres', url: POSTGRES_URL, ...extra });

  it('has the documented defaults', () => {
    expect(parse({}).data).toMatchObject({ schema: 'public', table: 'workos_events', poolSize: 2, connectTimeoutMs: 5000, statementTimeoutMs: 30000, onFailure: 'halt' });
  });

  it('refuses schema and table names that are not plain SQL names, and URLs that are not postgres://', () => {
    for (const name of ['1events', 'events; drop table x', 'my-events', 'a"b', 'ünï', '']) {
      expect(parse({ table: name }).success, name).toBe(false);
      expect(parse({ schema: name }).success, name).toBe(false);
    }
    expect(parse({ table: 'x'.repeat(53) }).success).toBe(false);
    expect(parse({ table: 'Events_2' }).success).toBe(true);
    expect(parse({ url: 'mysql://localhost/db' }).success).toBe(false);
    expect(parse({ tabel: 'x' }).success).toBe(false);
  });
});
