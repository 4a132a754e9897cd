import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyReconcileFix, readLiveRowsAfter, readMirrorRows, readMirrorRowsById } from '../../../src/sinks/postgres-mirror/mirror-tables.js';
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

const read = async (table: string, ids: string[]) => (await readMirrorRowsById(pool, schema, table, ids)).map(({ id, xmin }) => ({ id, xmin }));

describe('the mirror read and fix API for reconcile', () => {
  it('reads rows by id, tombstones included, ordered by id, with ISO times and the columns', async () => {
    const rows = await readMirrorRowsById(pool, schema, 'users', ['user_c', 'user_a', 'user_unknown']);
    expect(rows).toEqual([
      { id: 'user_a', xmin: expect.any(String), columns: { email: 'user_a@acme.com', first_name: 'v1', last_name: null, email_verified: true, external_id: null }, raw: user('user_a', 1), createdAt: t(0), updatedAt: t(1), deletedAt: null, changedBy: 'event', syncedAt: expect.any(String) },
      { id: 'user_c', xmin: expect.any(String), columns: { email: 'user_c@acme.com', first_name: 'v5', last_name: null, email_verified: true, external_id: null }, raw: user('user_c', 5), createdAt: t(0), updatedAt: t(5), deletedAt: t(5), changedBy: 'event', syncedAt: expect.any(String) },
    ]);
    expect(await readMirrorRows(pool, schema, 'organizations')).toEqual([]);
    const now = (await pool.query<{ now: Date }>('select now() + interval \'1 second\' as now')).rows[0]!.now;
    expect((await readLiveRowsAfter(pool, schema, 'users', '', now.toISOString(), 1)).map((r) => r.id)).toEqual(['user_a']);
    expect((await readLiveRowsAfter(pool, schema, 'users', 'user_a', now.toISOString(), 10)).map((r) => r.id)).toEqual(['user_b']);
    expect(await readLiveRowsAfter(pool, schema, 'users', '', t(0), 10)).toEqual([]);
  });

  it('writes missing and differing objects and tombstones extra rows, marked as the reconcile\'s', async () => {
    const result = await applyReconcileFix(pool, schema, 'users', {
      upserts: [user('user_d', 7), user('user_b', 8), user('user_c', 5, { first_name: 'back' })],
      read: await read('users', ['user_b', 'user_c']),
      tombstones: await read('users', ['user_a']),
    }, NOW);
    expect(result).toEqual({ upserted: 3, tombstoned: 1 });
    expect(await row('users', 'user_d')).toMatchObject({ raw: user('user_d', 7), first_name: 'v7', updated_at: t(7), deleted_at: null, last_event_id: null, last_event_at: NOW, changed_by: 'reconcile' });
    expect(await row('users', 'user_b')).toMatchObject({ first_name: 'v8', updated_at: t(8), changed_by: 'reconcile' });
    // Tombstoned in the mirror with the same updated_at, but live in WorkOS: live again.
    expect(await row('users', 'user_c')).toMatchObject({ first_name: 'back', deleted_at: null, changed_by: 'reconcile' });
    expect(await row('users', 'user_a')).toMatchObject({ raw: user('user_a', 1), first_name: 'v1', updated_at: t(1), deleted_at: NOW, last_event_id: null, last_event_at: NOW, changed_by: 'reconcile' });

    // The whole stream replayed afterwards cannot undo the fix; a newer event still applies.
    const fixed = await readMirrorRows(pool, schema, 'users');
    await sink.write({ events: stream });
    expect(await readMirrorRows(pool, schema, 'users')).toEqual(fixed);
    await sink.write({ events: [event('event_06', 'user.updated', user('user_d', 9), t(1001))] });
    expect(await row('users', 'user_d')).toMatchObject({ updated_at: t(9), changed_by: 'event', last_event_id: 'event_06' });
  });

  it('repairs a row whose updated_at is ahead of WorkOS\'s, and a later event still applies', async () => {
    await pool.query(`update "${schema}".users set updated_at = updated_at + interval '1 day', first_name = 'tampered' where id = 'user_b'`);
    expect(await applyReconcileFix(pool, schema, 'users', { upserts: [user('user_b', 3)], read: await read('users', ['user_b']), tombstones: [] }, NOW)).toEqual({ upserted: 1, tombstoned: 0 });
    expect(await row('users', 'user_b')).toMatchObject({ first_name: 'v3', updated_at: t(3), changed_by: 'reconcile', last_event_id: null, last_event_at: NOW });
    await sink.write({ events: [event('event_03', 'user.updated', user('user_b', 3), t(3))] });
    expect(await row('users', 'user_b')).toMatchObject({ changed_by: 'reconcile' });
    await sink.write({ events: [event('event_07', 'user.updated', user('user_b', 4), t(1001))] });
    expect(await row('users', 'user_b')).toMatchObject({ first_name: 'v4', changed_by: 'event' });
  });

  it('leaves a row that changed after reconcile read it, whatever the fix says', async () => {
    const before = await read('users', ['user_b', 'user_a']);
    await sink.write({ events: [event('event_08', 'user.updated', user('user_b', 20), t(20))] });
    await pool.query(`update "${schema}".users set first_name = 'by hand' where id = 'user_a'`);
    expect(await applyReconcileFix(pool, schema, 'users', { upserts: [user('user_b', 3)], read: before, tombstones: before.filter((r) => r.id === 'user_a') }, NOW)).toEqual({ upserted: 0, tombstoned: 0 });
    expect(await row('users', 'user_b')).toMatchObject({ updated_at: t(20), changed_by: 'event', last_event_id: 'event_08' });
    // A row reconcile found absent that an event wrote meanwhile is written only when newer.
    await sink.write({ events: [event('event_09', 'user.created', user('user_e', 30), t(30))] });
    expect(await applyReconcileFix(pool, schema, 'users', { upserts: [user('user_e', 29)], read: [], tombstones: [] }, NOW)).toEqual({ upserted: 0, tombstoned: 0 });
    expect(await row('users', 'user_e')).toMatchObject({ updated_at: t(30), changed_by: 'event' });
  });

  it('runs inside the caller\'s transaction when given a pool client', async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await applyReconcileFix(client, schema, 'users', { upserts: [user('user_d', 7)], read: [], tombstones: await read('users', ['user_a']) }, NOW);
      await client.query('rollback');
    } finally {
      client.release();
    }
    expect(await row('users', 'user_d')).toBeUndefined();
    expect(await row('users', 'user_a')).toMatchObject({ deleted_at: null });
  });

  it('writes group memberships, which have no updated_at of their own, at the time of the listing', async () => {
    const membership = { directory_id: 'directory_1', user: { object: 'directory_user', id: 'directory_user_1', updated_at: t(1) }, group: { object: 'directory_group', id: 'directory_group_1', updated_at: t(1) } };
    await sink.write({ events: [event('event_10', 'dsync.group.user_added', membership, t(10)), event('event_11', 'dsync.group.user_removed', membership, t(11))] });
    const id = 'directory_group_1:directory_user_1';
    expect(await applyReconcileFix(pool, schema, 'directory_group_memberships', { upserts: [membership], read: await read('directory_group_memberships', [id]), tombstones: [] }, NOW)).toEqual({ upserted: 1, tombstoned: 0 });
    expect(await readMirrorRows(pool, schema, 'directory_group_memberships')).toMatchObject([{ id, updatedAt: NOW, deletedAt: null, raw: membership }]);
  });

  it('refuses a table that is not the mirror\'s, a bad schema name and an object without an id', async () => {
    await expect(readMirrorRows(pool, schema, 'schema_migrations')).rejects.toThrow(/not a table of the mirror/);
    await expect(readMirrorRows(pool, 'bad"name', 'users')).rejects.toThrow(/invalid schema name/);
    await expect(applyReconcileFix(pool, schema, 'users', { upserts: [{ object: 'user' }], read: [], tombstones: [] }, NOW)).rejects.toThrow(/no id/);
    await expect(applyReconcileFix(pool, schema, 'users', { upserts: [], read: [], tombstones: await read('users', ['user_a']) }, 'soon')).rejects.toThrow(/not a time/);
    expect(await row('users', 'user_a')).toMatchObject({ deleted_at: null });
  });
});
