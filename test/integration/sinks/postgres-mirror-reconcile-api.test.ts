import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyReconcileFix, readMirrorRows } from '../../../src/sinks/postgres-mirror/mirror-tables.js';
import { postgresMirrorSink, postgresMirrorSinkConfigSchema } from '../../../src/sinks/postgres-mirror/postgres-mirror-sink.js';
import type { Sink } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { POSTGRES_URL } from '../../support/services.js';

const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });

let schema: string;
let sink: Sink;

const BASE_MS = Date.parse('2026-03-01T10:00:00.000Z');
const t = (s: number): string => new Date(BASE_MS + s * 1000).toISOString();
const NOW = t(1000);

const user = (id: string, v: number, extra: Record<string, unknown> = {}) =>
  ({ object: 'user', id, email: `${id}@acme.com`, first_name: `v${v}`, email_verified: true, created_at: t(0), updated_at: t(v), ...extra });
const event = (id: string, type: string, data: Record<string, unknown>, at: string): WorkOSEvent => ({ object: 'event', id, event: type, data, created_at: at });

async function row(table: string, id: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await pool.query(`select * from "${schema}"."${table}" where id = $1`, [id]);
  const found = rows[0] as Record<string, unknown> | undefined;
  return found && Object.fromEntries(Object.entries(found).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

const stream = [
  event('event_01', 'user.created', user('user_a', 1), t(1)),
  event('event_02', 'user.created', user('user_b', 2), t(2)),
  event('event_03', 'user.updated', user('user_b', 3), t(3)),
  event('event_04', 'user.created', user('user_c', 4), t(4)),
  event('event_05', 'user.deleted', user('user_c', 5), t(5)),
];

beforeEach(async () => {
  schema = `wes_mirror_test_${randomBytes(6).toString('hex')}`;
  const config = postgresMirrorSinkConfigSchema.parse({ type: 'postgres_mirror', url: POSTGRES_URL, schema });
  sink = postgresMirrorSink.create(config, 'mirror-test', { logger: pino({ level: 'silent' }), stdout: process.stdout });
  await sink.write({ events: stream });
});
afterEach(async () => {
  await sink.close();
  await pool.query(`drop schema if exists "${schema}" cascade`);
});
afterAll(async () => {
  await pool.end();
});

describe('the mirror read and fix API for reconcile', () => {
  it('reads every row of a table, tombstones included, ordered by id, with ISO times', async () => {
    expect(await readMirrorRows(pool, schema, 'users')).toEqual([
      { id: 'user_a', updatedAt: t(1), deletedAt: null, raw: user('user_a', 1) },
      { id: 'user_b', updatedAt: t(3), deletedAt: null, raw: user('user_b', 3) },
      { id: 'user_c', updatedAt: t(5), deletedAt: t(5), raw: user('user_c', 5) },
    ]);
    expect(await readMirrorRows(pool, schema, 'organizations')).toEqual([]);
  });

  it('writes missing and stale objects and tombstones extra ids, marked as the reconcile\'s', async () => {
    const result = await applyReconcileFix(pool, schema, 'users', {
      upserts: [user('user_d', 7), user('user_b', 8), user('user_c', 5, { first_name: 'back' })],
      tombstones: ['user_a', 'user_unknown'],
    }, NOW);
    expect(result).toEqual({ upserted: 3, tombstoned: 1 });
    expect(await row('users', 'user_d')).toMatchObject({ raw: user('user_d', 7), first_name: 'v7', updated_at: t(7), deleted_at: null, last_event_id: null, last_event_at: NOW, changed_by: 'reconcile' });
    expect(await row('users', 'user_b')).toMatchObject({ first_name: 'v8', updated_at: t(8), changed_by: 'reconcile' });
    // Tombstoned in the mirror with the same updated_at, but live in WorkOS: live again.
    expect(await row('users', 'user_c')).toMatchObject({ first_name: 'back', deleted_at: null, changed_by: 'reconcile' });
    expect(await row('users', 'user_a')).toMatchObject({ raw: user('user_a', 1), first_name: 'v1', updated_at: t(1), deleted_at: NOW, last_event_id: null, last_event_at: NOW, changed_by: 'reconcile' });
    expect(await row('users', 'user_unknown')).toBeUndefined();

    // The whole stream replayed afterwards cannot undo the fix; a newer event still applies.
    const fixed = await readMirrorRows(pool, schema, 'users');
    await sink.write({ events: stream });
    expect(await readMirrorRows(pool, schema, 'users')).toEqual(fixed);
    await sink.write({ events: [event('event_06', 'user.updated', user('user_d', 9), t(1001))] });
    expect(await row('users', 'user_d')).toMatchObject({ updated_at: t(9), changed_by: 'event', last_event_id: 'event_06' });
  });

  it('leaves a row that an event made newer than the listed object', async () => {
    expect(await applyReconcileFix(pool, schema, 'users', { upserts: [user('user_b', 2)], tombstones: [] }, NOW)).toEqual({ upserted: 0, tombstoned: 0 });
    expect(await row('users', 'user_b')).toMatchObject({ updated_at: t(3), changed_by: 'event', last_event_id: 'event_03' });
  });

  it('is harmless to run twice', async () => {
    const fix = { upserts: [user('user_d', 7)], tombstones: ['user_a'] };
    await applyReconcileFix(pool, schema, 'users', fix, NOW);
    const once = await pool.query(`select * from "${schema}".users order by id`);
    expect(await applyReconcileFix(pool, schema, 'users', fix, NOW)).toEqual({ upserted: 0, tombstoned: 0 });
    expect((await pool.query(`select * from "${schema}".users order by id`)).rows).toEqual(once.rows);
  });

  it('runs inside the caller\'s transaction when given a pool client', async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await applyReconcileFix(client, schema, 'users', { upserts: [user('user_d', 7)], tombstones: ['user_a'] }, NOW);
      await client.query('rollback');
    } finally {
      client.release();
    }
    expect(await row('users', 'user_d')).toBeUndefined();
    expect(await row('users', 'user_a')).toMatchObject({ deleted_at: null });
  });

  it('writes group memberships, which have no updated_at of their own, at the time of the fix', async () => {
    const membership = { directory_id: 'directory_1', user: { object: 'directory_user', id: 'directory_user_1', updated_at: t(1) }, group: { object: 'directory_group', id: 'directory_group_1', updated_at: t(1) } };
    await sink.write({ events: [event('event_10', 'dsync.group.user_added', membership, t(10)), event('event_11', 'dsync.group.user_removed', membership, t(11))] });
    expect(await applyReconcileFix(pool, schema, 'directory_group_memberships', { upserts: [membership], tombstones: [] }, NOW)).toEqual({ upserted: 1, tombstoned: 0 });
    expect(await readMirrorRows(pool, schema, 'directory_group_memberships')).toEqual([{ id: 'directory_group_1:directory_user_1', updatedAt: NOW, deletedAt: null, raw: membership }]);
  });

  it('refuses a table that is not the mirror\'s, a bad schema name and an object without an id', async () => {
    await expect(readMirrorRows(pool, schema, 'schema_migrations')).rejects.toThrow(/not a table of the mirror/);
    await expect(readMirrorRows(pool, 'bad"name', 'users')).rejects.toThrow(/invalid schema name/);
    await expect(applyReconcileFix(pool, schema, 'users', { upserts: [{ object: 'user' }], tombstones: [] }, NOW)).rejects.toThrow(/no id/);
    await expect(applyReconcileFix(pool, schema, 'users', { upserts: [], tombstones: ['user_a'] }, 'soon')).rejects.toThrow(/not a time/);
    expect(await row('users', 'user_a')).toMatchObject({ deleted_at: null });
  });
});
