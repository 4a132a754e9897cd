import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcileMirror } from '../../../src/reconcile/reconcile-mirror.js';
import { sleep } from '../../../src/retry/sleep.js';
import type { Sink } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { createWorkOSApi } from '../../../src/workos/workos-api.js';
import { startFakeWorkOS, type FakeWorkOS } from '../../fakes/fake-workos.js';
import { DIRECTORY_EVENT, DIRECTORY_GROUP, DIRECTORY_USER } from '../../fixtures/workos/sdk-shapes.js';
import { API_KEY } from '../../support/harness.js';
import { mirrorSink, newMirrorSchema } from '../../support/mirror-schema.js';
import { POSTGRES_URL } from '../../support/services.js';

type Json = Record<string, unknown>;
const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
let fake: FakeWorkOS;
let schema: string;
let sink: Sink;

beforeEach(async () => {
  fake = await startFakeWorkOS();
  schema = newMirrorSchema('wes_dsync_scenarios');
  sink = mirrorSink(schema);
});
afterEach(async () => {
  await sink.close();
  await fake.close();
  await admin.query(`drop schema if exists "${schema}" cascade`);
});
afterAll(async () => {
  await admin.end();
});

const AT = Date.parse('2026-04-01T09:00:00.000Z');
/** created_at `ms` after the start; many events share one millisecond. */
const at = (ms: number) => new Date(AT + ms).toISOString();
const directory = (id: string, v: number, extra: Json = {}): Json => ({ ...DIRECTORY_EVENT.example, id, domains: [{ object: 'organization_domain', id: `org_domain_${id}`, domain: `${id}.test` }], updated_at: at(v), ...extra });
const user = (id: string, dir: string, v: number, extra: Json = {}): Json => ({ ...DIRECTORY_USER.example, id, directory_id: dir, idp_id: `idp-${id}`, email: `${id}@acme.test`, created_at: at(0), updated_at: at(v), ...extra });
const group = (id: string, dir: string, v: number, extra: Json = {}): Json => ({ ...DIRECTORY_GROUP.example, id, directory_id: dir, idp_id: `idp-${id}`, created_at: at(0), updated_at: at(v), ...extra });
const member = (dir: string, u: Json, g: Json): Json => ({ directory_id: dir, user: u, group: g });

function add(type: string, data: Json, ms: number): void {
  fake.addEvent(type, data, { createdAt: at(ms) });
}

async function reconcile() {
  const api = createWorkOSApi({ apiKey: API_KEY, baseUrl: fake.url, timeoutMs: 10_000, retryAfter: { defaultMs: 1000, maxMs: 10_000 } });
  return reconcileMirror({ api, pool: admin, schema, fix: false, retry: { maxAttempts: 1, backoff: { minDelayMs: 1, maxDelayMs: 1 }, logger: pino({ level: 'silent' }), sleep } });
}

const row = async (table: string, id: string): Promise<Json | undefined> => (await admin.query(`select * from "${schema}".${table} where id = $1`, [id])).rows[0] as Json | undefined;

describe('Directory Sync in the mirror, checked against the fake WorkOS\'s state APIs', () => {
  it('ends equal to WorkOS after suspensions, custom attributes, renames, re-added members, a deleted directory and events in one millisecond', async () => {
    const ada = user('directory_user_ada', 'directory_a', 1, { custom_attributes: { department: 'Engineering' } });
    const bob = user('directory_user_bob', 'directory_a', 1);
    const eng = group('directory_group_eng', 'directory_a', 1, { name: 'Engineering' });
    const gone = user('directory_user_gone', 'directory_b', 1);
    const goneGroup = group('directory_group_gone', 'directory_b', 1);
    add('dsync.activated', directory('directory_a', 0), 0);
    add('dsync.activated', directory('directory_b', 0), 0);
    add('dsync.user.created', ada, 1);
    add('dsync.user.created', bob, 1);
    add('dsync.group.created', eng, 1);
    add('dsync.user.created', gone, 1);
    add('dsync.group.created', goneGroup, 1);
    add('dsync.group.user_added', member('directory_a', ada, eng), 2);
    add('dsync.group.user_added', member('directory_a', bob, eng), 2);
    add('dsync.group.user_added', member('directory_b', gone, goneGroup), 2);
    // Ada suspended and reactivated, her custom attributes changed, all in one millisecond.
    add('dsync.user.updated', { ...ada, state: 'inactive', updated_at: at(3), previous_attributes: { state: 'active' } }, 3);
    add('dsync.user.updated', { ...ada, state: 'active', custom_attributes: { department: 'Research', cost_center: '42' }, updated_at: at(3), previous_attributes: { state: 'inactive' } }, 3);
    // Bob removed from the group and added again in the same millisecond; the group renamed.
    add('dsync.group.user_removed', member('directory_a', bob, eng), 4);
    add('dsync.group.user_added', member('directory_a', bob, eng), 4);
    add('dsync.group.updated', { ...eng, name: 'Platform', updated_at: at(5), previous_attributes: { name: 'Engineering' } }, 5);
    // Directory b deleted with a sole dsync.deleted: its user, group and membership go with it.
    const { domains: _d, external_key: _k, ...deleted } = directory('directory_b', 6, { state: 'deleting' });
    add('dsync.deleted', deleted, 6);

    for (const size of [1, 3, 100]) {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await sink.close();
      sink = mirrorSink(schema);
      for (let i = 0; i < fake.events.length; i += size) await sink.write({ events: fake.events.slice(i, i + size) as unknown as WorkOSEvent[] });
      const report = await reconcile();
      expect(report.shown, `page size ${size}`).toEqual([]);
      expect(report.tables.find((t) => t.table === 'directory_users')).toMatchObject({ compared: 2, differing: 0 });
      expect(report.tables.find((t) => t.table === 'directory_group_memberships')).toMatchObject({ compared: 2, differing: 0 });
    }
    expect(await row('directory_users', 'directory_user_ada')).toMatchObject({ state: 'active', deleted_at: null });
    expect((await row('directory_users', 'directory_user_ada'))!['raw']).toMatchObject({ custom_attributes: { department: 'Research', cost_center: '42' } });
    expect(await row('directory_groups', 'directory_group_eng')).toMatchObject({ name: 'Platform' });
    expect(await row('directory_group_memberships', 'directory_group_eng:directory_user_bob')).toMatchObject({ deleted_at: null });
    for (const [table, id] of [['directories', 'directory_b'], ['directory_users', 'directory_user_gone'], ['directory_groups', 'directory_group_gone'], ['directory_group_memberships', 'directory_group_gone:directory_user_gone']]) {
      expect((await row(table!, id!))!['deleted_at'], `${table} ${id}`).toEqual(new Date(at(6)));
    }
    // The deleted directory keeps the domain of its activation (dsync.deleted has none).
    expect(await row('directories', 'directory_b')).toMatchObject({ domain: 'directory_b.test', state: 'deleting' });
  });
});
