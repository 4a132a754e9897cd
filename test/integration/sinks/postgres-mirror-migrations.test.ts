import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIRROR_MIGRATIONS, runMirrorMigrations, type MirrorMigration } from '../../../src/sinks/postgres-mirror/mirror-migrations.js';
import { mirrorNames } from '../../../src/sinks/postgres-mirror/mirror-names.js';
import { MIRROR_COMMON_COLUMNS, MIRROR_TABLES } from '../../../src/sinks/postgres-mirror/mirror-tables.js';
import { postgresMirrorSink, postgresMirrorSinkConfigSchema } from '../../../src/sinks/postgres-mirror/postgres-mirror-sink.js';
import type { Sink } from '../../../src/sinks/sink.js';
import { POSTGRES_URL } from '../../support/services.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });

let schema: string;
let sinks: Sink[] = [];
let pools: pg.Pool[] = [];
const cleanups: Array<() => Promise<void>> = [];

function makeSink(url = POSTGRES_URL): Sink {
  const config = postgresMirrorSinkConfigSchema.parse({ type: 'postgres_mirror', url, schema });
  const sink = postgresMirrorSink.create(config, 'mirror-test', { logger: pino({ level: 'silent' }), stdout: process.stdout });
  sinks.push(sink);
  return sink;
}

function makePool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  pools.push(pool);
  return pool;
}

const versions = async (): Promise<number[]> =>
  (await admin.query<{ version: number }>(`select version from "${schema}".schema_migrations order by version`)).rows.map((r) => r.version);

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);

/** The versions this release ships, and the number a later release's migration would take. */
const SHIPPED = MIRROR_MIGRATIONS.map((m) => m.version);
const NEXT = SHIPPED.at(-1)! + 1;

/** A later release's migration: a column and an index on top of the shipped ones. */
const later: MirrorMigration = {
  version: NEXT,
  description: 'users.locale and an index by email',
  statements: (n) => [`alter table ${n.table('users')} add column locale text`, `create index users_email_idx on ${n.table('users')} (email)`],
};

beforeEach(() => {
  schema = `wes_mirror_test_${randomBytes(6).toString('hex')}`;
});
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
  for (const pool of pools.splice(0)) await pool.end();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await admin.query(`drop schema if exists "${schema}" cascade`);
});
afterAll(async () => {
  await admin.end();
});

describe('postgres_mirror migrations', () => {
  it('creates the schema, every table with the columns MIRROR_TABLES lists, their indexes, and records the versions, on open', async () => {
    await makeSink().open();
    const { rows } = await admin.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      'select table_name, column_name, data_type, is_nullable from information_schema.columns where table_schema = $1 order by table_name, ordinal_position',
      [schema],
    );
    const columnsOf = (table: string) => rows.filter((r) => r.table_name === table);
    for (const table of MIRROR_TABLES) {
      const columns = columnsOf(table.name);
      expect(columns.map((c) => c.column_name).sort(), table.name).toEqual([...MIRROR_COMMON_COLUMNS, ...table.columns.map((c) => c.name)].sort());
      for (const column of table.columns) {
        expect(columns.find((c) => c.column_name === column.name)?.data_type, `${table.name}.${column.name}`).toBe(column.type);
      }
      const required = columns.filter((c) => c.is_nullable === 'NO').map((c) => c.column_name).sort();
      expect(required, table.name).toEqual(['changed_by', 'id', 'last_event_at', 'raw', 'synced_at', 'updated_at']);
      expect(columns.find((c) => c.column_name === 'raw')?.data_type).toBe('jsonb');
    }
    expect(columnsOf('ignored_events').map((c) => c.column_name)).toEqual(['event_type', 'count', 'last_event_at', 'last_event_id']);
    expect(columnsOf('schema_migrations').map((c) => c.column_name)).toEqual(['version', 'applied_at']);
    expect(columnsOf('sync_positions').map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      'sink text', 'event_id text', 'event_created_at text', 'filter jsonb', 'lease_token text', 'committed_at timestamp with time zone',
    ]);

    const indexes = await admin.query<{ tablename: string; indexdef: string }>(
      `select tablename, indexdef from pg_indexes where schemaname = $1 and indexname not like '%_pkey'`,
      [schema],
    );
    const indexed = indexes.rows.map((r) => `${r.tablename} ${r.indexdef.replace(/^.* USING btree /, '')}`).sort();
    const expected = MIRROR_TABLES.flatMap((t) => ['organization_id', 'directory_id'].filter((c) => t.columns.some((col) => col.name === c)).map((c) => `${t.name} (${c})`));
    expect(indexed).toEqual(expected.sort());
    expect(await versions()).toEqual([1, 2]);
  });

  it('applies a later migration on top of the shipped ones, once, keeping the rows', async () => {
    const sink = makeSink();
    await sink.open();
    await sink.write({ events: [{ object: 'event', id: 'event_1', event: 'user.created', created_at: '2026-03-01T10:00:00.000Z', data: { object: 'user', id: 'user_1', email: 'ada@acme.com' } }] });
    const pool = makePool();
    const names = mirrorNames(schema);

    expect(await runMirrorMigrations(pool, names, [...MIRROR_MIGRATIONS, later])).toEqual({ applied: [NEXT], version: NEXT, unknown: [] });
    expect(await versions()).toEqual([...SHIPPED, NEXT]);
    const column = await admin.query('select 1 from information_schema.columns where table_schema = $1 and table_name = $2 and column_name = $3', [schema, 'users', 'locale']);
    expect(column.rowCount).toBe(1);
    expect((await admin.query(`select email from "${schema}".users`)).rows).toEqual([{ email: 'ada@acme.com' }]);
    expect(await runMirrorMigrations(pool, names, [...MIRROR_MIGRATIONS, later])).toEqual({ applied: [], version: NEXT, unknown: [] });
  });

  it('applies every version on an empty database, and each only once when replicas open at the same moment', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => runMirrorMigrations(makePool(), mirrorNames(schema), [...MIRROR_MIGRATIONS, later])));
    expect(results.flatMap((r) => r.applied).sort()).toEqual([...SHIPPED, NEXT]);
    expect(await versions()).toEqual([...SHIPPED, NEXT]);
    await Promise.all(Array.from({ length: 3 }, () => makeSink().open()));
  });

  it('a failing migration leaves the earlier ones applied and records nothing of itself; the fixed one applies next time', async () => {
    const pool = makePool();
    const names = mirrorNames(schema);
    const broken: MirrorMigration = { version: NEXT + 1, description: 'broken', statements: (n) => [`alter table ${n.table('users')} add column nickname text`, 'alter table no_such_table add column x text'] };
    const err = await failure(runMirrorMigrations(pool, names, [...MIRROR_MIGRATIONS, later, broken]));
    expect((err as { code?: string }).code).toBe('42P01');
    expect(await versions()).toEqual([...SHIPPED, NEXT]);
    const nickname = await admin.query('select 1 from information_schema.columns where table_schema = $1 and column_name = $2', [schema, 'nickname']);
    expect(nickname.rowCount).toBe(0);

    const fixed: MirrorMigration = { ...broken, statements: (n) => [`alter table ${n.table('users')} add column nickname text`] };
    expect((await runMirrorMigrations(pool, names, [...MIRROR_MIGRATIONS, later, fixed])).applied).toEqual([NEXT + 1]);
  });

  it('a sink whose migration fails reports it as rejected and tries again on the next open', async () => {
    await admin.query(`create schema "${schema}"`);
    // A table of that name that is not the mirror's: version 1 cannot create its index.
    await admin.query(`create table "${schema}".organization_domains (id text primary key)`);
    const sink = makeSink();
    expect(await failure(sink.open())).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
    await admin.query(`drop table "${schema}".organization_domains`);
    await sink.open();
    expect(await versions()).toEqual(SHIPPED);
  });

  it('refuses a list of migrations whose versions do not increase', async () => {
    const err = await failure(runMirrorMigrations(makePool(), mirrorNames(schema), [...MIRROR_MIGRATIONS, { ...later, version: 1 }]));
    expect(String(err)).toMatch(/increasing/);
    expect((await admin.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount).toBe(0);
  });

  it('reports versions it does not know (a newer release ran) and still opens', async () => {
    await runMirrorMigrations(makePool(), mirrorNames(schema));
    await admin.query(`insert into "${schema}".schema_migrations (version) values (99)`);
    expect(await runMirrorMigrations(makePool(), mirrorNames(schema))).toEqual({ applied: [], version: 99, unknown: [99] });
    await makeSink().open();
  });

  it('once migrated, runs as a role that may only read and write the tables', async () => {
    await makeSink().open();
    const role = `wes_mirror_rw_${randomBytes(4).toString('hex')}`;
    await admin.query(`create role ${role} login`);
    cleanups.push(async () => {
      await admin.query(`drop owned by ${role}`);
      await admin.query(`drop role ${role}`);
    });
    await admin.query(`grant usage on schema "${schema}" to ${role}`);
    await admin.query(`grant select, insert, update on all tables in schema "${schema}" to ${role}`);
    const url = new URL(POSTGRES_URL);
    url.username = role;
    const sink = makeSink(url.toString());
    await sink.open();
    // With its position, as the pipeline writes: a row of sync_positions inserted, then updated.
    const start = { id: null, createdAt: '2026-03-01T09:00:00.000Z', filter: { events: [], organizationId: null } };
    await sink.positions!.set(start);
    const position = { id: 'event_1', createdAt: '2026-03-01T10:00:00.000Z', filter: start.filter };
    await sink.write({
      events: [{ object: 'event', id: 'event_1', event: 'organization.created', created_at: '2026-03-01T10:00:00.000Z', data: { object: 'organization', id: 'org_1', name: 'Acme' } }],
      commit: { position, expected: start },
    });
    expect((await admin.query(`select name from "${schema}".organizations`)).rows).toEqual([{ name: 'Acme' }]);
    expect(await sink.positions!.read()).toEqual(position);
  });
});
