import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { isWesError } from '../../../src/errors.js';
import { ROUTED_EVENT_TYPES, routeEvent } from '../../../src/sinks/postgres-mirror/mirror-routing.js';
import { MIRROR_TABLES, type MirrorTableName } from '../../../src/sinks/postgres-mirror/mirror-tables.js';
import type { Sink, SinkPage } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { createEventFactory } from '../../fakes/event-factory.js';
import { createEventIdGenerator } from '../../fakes/event-ids.js';
import { ObjectState, objectIdOf, ROUTED_EVENT_TYPES as FAKE_ROUTED_EVENT_TYPES, routeEventType } from '../../fakes/object-state.js';
import { createPrng } from '../../fakes/prng.js';
import { useMirrorSchemas } from '../../support/mirror-schema.js';
import { POSTGRES_URL } from '../../support/services.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
const TABLES = MIRROR_TABLES.map((t) => t.name);

const mirrors = useMirrorSchemas(admin, afterEach);
const newSchema = (): string => mirrors.schema();
const makeSink = (schema: string): Sink => mirrors.sink(schema);

afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await admin.end();
});

const BASE_MS = Date.parse('2026-03-01T10:00:00.000Z');
/** ISO time `s` seconds after the base. */
const t = (s: number): string => new Date(BASE_MS + s * 1000).toISOString();

let eventSerial = 0;
function event(type: string, data: Record<string, unknown>, createdAt: string, id?: string): WorkOSEvent {
  return { object: 'event', id: id ?? `event_${String(++eventSerial).padStart(8, '0')}_${randomBytes(4).toString('hex')}`, event: type, data, created_at: createdAt };
}

/**
 * A lifecycle stream from the event factory: creates, updates and deletes of every kind the
 * mirror keeps, plus events it ignores. `perSecond` events share each created_at (ties).
 */
function lifecycleEvents(n: number, seed: number, options: { perSecond?: number; legacyDirectoryDeletes?: boolean } = {}): WorkOSEvent[] {
  const factory = createEventFactory(seed, { profile: 'lifecycle', legacyDirectoryDeletes: options.legacyDirectoryDeletes ?? false });
  const nextId = createEventIdGenerator(createPrng(seed));
  const perSecond = options.perSecond ?? 1;
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(BASE_MS + Math.floor(i / perSecond) * 1000);
    const generated = factory.next(at);
    return { object: 'event', id: nextId(at.getTime()), event: generated.type, data: generated.data, created_at: at.toISOString() };
  });
}

function pagesOf(events: readonly WorkOSEvent[], size: number): SinkPage[] {
  const pages: SinkPage[] = [];
  for (let i = 0; i < events.length; i += size) pages.push({ events: events.slice(i, i + size) });
  return pages;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = createPrng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

type Row = Record<string, unknown>;
const plain = (row: Row): Row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));

async function rowsOf(schema: string, table: string, where = 'true', params: unknown[] = []): Promise<Row[]> {
  const key = table === 'ignored_events' ? 'event_type' : 'id';
  const { rows } = await admin.query<Row>(`select * from "${schema}"."${table}" where ${where} order by ${key} collate "C"`, params);
  return rows.map(plain);
}

async function rowOf(schema: string, table: MirrorTableName, id: string): Promise<Row | undefined> {
  return (await rowsOf(schema, table, 'id = $1', [id]))[0];
}

/**
 * Every table of a schema; without `synced_at` when comparing schemas written at different times.
 * `unordered`: for a stream delivered out of order, the columns a tombstone kept from before its
 * delete (whose data lacks the field, as dsync.deleted lacks `domains`) are left out: they hold
 * what the row had when the delete arrived, which out of stream order depends on what came first.
 */
async function dump(schema: string, options: { synced?: boolean; ignored?: boolean; unordered?: boolean } = {}): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const table of [...TABLES, ...(options.ignored === false ? [] : ['ignored_events'])]) {
    const columns = MIRROR_TABLES.find((t) => t.name === table)?.columns ?? [];
    out[table] = (await rowsOf(schema, table)).map((row) => {
      const { synced_at: _synced, ...rest } = row;
      const kept = options.synced !== false ? row : rest;
      if (!options.unordered || row['deleted_at'] === null) return kept;
      const raw = row['raw'] as Row;
      return Object.fromEntries(Object.entries(kept).filter(([name]) => !columns.some((c) => c.name === name && !c.keys.some((key) => key in raw))));
    });
  }
  return out;
}

async function writeAll(sink: Sink, pages: readonly SinkPage[]): Promise<void> {
  for (const page of pages) await sink.write(page);
}

describe('the postgres_mirror sink: one table per kind of object', () => {
  it('routes exactly the event types of the spec, as the fake WorkOS state does', () => {
    expect(ROUTED_EVENT_TYPES.length).toBe(28);
    expect(new Set(ROUTED_EVENT_TYPES)).toEqual(new Set(FAKE_ROUTED_EVENT_TYPES));
    for (const type of ROUTED_EVENT_TYPES) expect(routeEvent(type), type).toEqual({ table: routeEventType(type)!.kind, action: routeEventType(type)!.action });
    for (const type of ['connection.saml_certificate_renewed', 'dsync.token.created', 'organization_role.created', 'session.created', 'widget.frobnicated', 'dsync.group']) {
      expect(routeEvent(type), type).toBeUndefined();
    }
  });

  const org = (v: number) => ({ object: 'organization', id: 'org_01', name: `Acme ${v}`, external_id: v === 0 ? null : 'cust_7', domains: [], created_at: t(0), updated_at: t(v) });
  const domain = (v: number) => ({ object: 'organization_domain', id: 'org_domain_01', organization_id: 'org_01', domain: 'acme.com', state: v === 0 ? 'pending' : 'verified', verification_strategy: 'dns', created_at: t(0), updated_at: t(v) });
  const user = (v: number) => ({ object: 'user', id: 'user_01', email: 'ada@acme.com', first_name: 'Ada', last_name: v === 0 ? 'Byron' : 'Lovelace', email_verified: v > 0, external_id: null, created_at: t(0), updated_at: t(v) });
  const membership = (v: number) => ({ object: 'organization_membership', id: 'om_01', user_id: 'user_01', organization_id: 'org_01', status: 'active', role: { slug: v === 0 ? 'member' : 'admin' }, created_at: t(0), updated_at: t(v) });
  const connection = (v: number) => ({ object: 'connection', id: 'conn_01', organization_id: 'org_01', connection_type: 'OktaSAML', name: 'Acme Okta', state: v === 0 ? 'active' : 'inactive', created_at: t(0), updated_at: t(v) });
  const directory = (v: number) => ({ object: 'directory', id: 'directory_01', organization_id: 'org_01', type: 'okta scim v2.0', name: 'Acme Okta', state: v === 0 ? 'active' : 'inactive', domains: [{ object: 'organization_domain', id: 'org_domain_01', domain: 'acme.com' }], created_at: t(0), updated_at: t(v) });
  const directoryUser = (v: number) => ({
    object: 'directory_user', id: 'directory_user_01', idp_id: 'idp-7', directory_id: 'directory_01', organization_id: 'org_01', first_name: 'Grace', last_name: 'Hopper',
    email: 'old@acme.com', emails: [{ primary: false, type: 'home', value: 'grace@home.example' }, { primary: true, type: 'work', value: `grace${v}@acme.com` }],
    state: v === 2 ? 'inactive' : 'active', created_at: t(0), updated_at: t(v),
  });
  const group = (v: number) => ({ object: 'directory_group', id: 'directory_group_01', idp_id: 'grp-1', directory_id: 'directory_01', organization_id: 'org_01', name: v === 0 ? 'Engineering' : 'Platform', created_at: t(0), updated_at: t(v) });
  const groupMembership = (v: number) => ({ directory_id: 'directory_01', user: directoryUser(v), group: group(v) });

  const cases: Array<{ table: MirrorTableName; id: string; types: [string, string, string]; object: (v: number) => Record<string, unknown>; columns: (v: number) => Row; versionFromEvent?: boolean }> = [
    { table: 'organizations', id: 'org_01', types: ['organization.created', 'organization.updated', 'organization.deleted'], object: org, columns: (v) => ({ name: `Acme ${v}`, external_id: v === 0 ? null : 'cust_7' }) },
    { table: 'organization_domains', id: 'org_domain_01', types: ['organization_domain.created', 'organization_domain.verified', 'organization_domain.deleted'], object: domain, columns: (v) => ({ organization_id: 'org_01', domain: 'acme.com', state: v === 0 ? 'pending' : 'verified', verification_strategy: 'dns' }) },
    { table: 'users', id: 'user_01', types: ['user.created', 'user.updated', 'user.deleted'], object: user, columns: (v) => ({ email: 'ada@acme.com', first_name: 'Ada', last_name: v === 0 ? 'Byron' : 'Lovelace', email_verified: v > 0, external_id: null }) },
    { table: 'organization_memberships', id: 'om_01', types: ['organization_membership.created', 'organization_membership.updated', 'organization_membership.deleted'], object: membership, columns: (v) => ({ organization_id: 'org_01', user_id: 'user_01', role_slug: v === 0 ? 'member' : 'admin', status: 'active' }) },
    { table: 'connections', id: 'conn_01', types: ['connection.activated', 'connection.deactivated', 'connection.deleted'], object: connection, columns: (v) => ({ organization_id: 'org_01', connection_type: 'OktaSAML', name: 'Acme Okta', state: v === 0 ? 'active' : 'inactive' }) },
    { table: 'directories', id: 'directory_01', types: ['dsync.activated', 'dsync.deactivated', 'dsync.deleted'], object: directory, columns: (v) => ({ organization_id: 'org_01', type: 'okta scim v2.0', name: 'Acme Okta', state: v === 0 ? 'active' : 'inactive', domain: 'acme.com' }) },
    { table: 'directory_users', id: 'directory_user_01', types: ['dsync.user.created', 'dsync.user.updated', 'dsync.user.deleted'], object: directoryUser, columns: (v) => ({ directory_id: 'directory_01', organization_id: 'org_01', idp_id: 'idp-7', email: `grace${v}@acme.com`, first_name: 'Grace', last_name: 'Hopper', state: v === 2 ? 'inactive' : 'active' }) },
    { table: 'directory_groups', id: 'directory_group_01', types: ['dsync.group.created', 'dsync.group.updated', 'dsync.group.deleted'], object: group, columns: (v) => ({ directory_id: 'directory_01', organization_id: 'org_01', idp_id: 'grp-1', name: v === 0 ? 'Engineering' : 'Platform' }) },
    { table: 'directory_group_memberships', id: 'directory_group_01:directory_user_01', types: ['dsync.group.user_added', 'dsync.group.user_added', 'dsync.group.user_removed'], object: groupMembership, columns: () => ({ directory_id: 'directory_01', directory_group_id: 'directory_group_01', directory_user_id: 'directory_user_01' }), versionFromEvent: true },
  ];

  it.each(cases)('$table: a create, an update and a delete leave the newest columns, the object as raw, and a tombstone', async ({ table, id, types, object, columns, versionFromEvent }) => {
    const schema = newSchema();
    const sink = makeSink(schema);
    const events = types.map((type, v) => event(type, object(v), t(10 + v)));
    const expected = (v: number, deleted: boolean): Row => ({
      id,
      ...columns(v),
      raw: object(v),
      created_at: versionFromEvent ? null : t(0),
      updated_at: versionFromEvent ? t(10 + v) : t(v),
      deleted_at: deleted ? t(10 + v) : null,
      last_event_id: events[v]!.id,
      last_event_at: t(10 + v),
      changed_by: 'event',
      synced_at: expect.any(String),
    });
    await sink.write({ events: [events[0]!] });
    expect(await rowOf(schema, table, id)).toEqual(expected(0, false));
    await sink.write({ events: [events[1]!] });
    expect(await rowOf(schema, table, id)).toEqual(expected(1, false));
    await sink.write({ events: [events[2]!] });
    expect(await rowOf(schema, table, id)).toEqual(expected(2, true));
    // Only this table was written to.
    for (const other of TABLES.filter((name) => name !== table)) expect(await rowsOf(schema, other)).toEqual([]);
  });

  it('a whole lifecycle stream delivered twice, and pages replayed at random, leave every table identical', async () => {
    const schema = newSchema();
    const sink = makeSink(schema);
    const events = lifecycleEvents(1500, 11);
    const pages = pagesOf(events, 100);
    await writeAll(sink, pages);
    const once = await dump(schema);
    expect(once['directory_group_memberships']!.length).toBeGreaterThan(0);
    expect(once['ignored_events']!.length).toBeGreaterThan(0);

    await writeAll(sink, pages);
    expect(await dump(schema)).toEqual(once);
    // A crash replays the page in flight; duplicates inside one page and across pages change nothing.
    for (const page of shuffled(pages, 5).slice(0, 5)) await sink.write(page);
    await sink.write({ events: [...pages[3]!.events, ...pages[3]!.events.slice(0, 10), ...pages[4]!.events.slice(0, 30)] });
    expect(await dump(schema)).toEqual(once);
  });

  it('the live rows are exactly the objects WorkOS still has after the stream, including the directories a sole dsync.deleted removed', async () => {
    const schema = newSchema();
    const sink = makeSink(schema);
    const events = lifecycleEvents(2500, 12);
    expect(events.some((e) => e.event === 'dsync.deleted')).toBe(true);
    await writeAll(sink, pagesOf(events, 100));
    const state = new ObjectState();
    for (const e of events) state.apply(e);
    for (const table of TABLES) {
      const live = (await rowsOf(schema, table, 'deleted_at is null')).map((r) => ({ id: r['id'], raw: r['raw'] }));
      const expected = state.list(table).map((o) => ({ id: objectIdOf(table, { ...o }), raw: o })).sort((a, b) => (a.id! < b.id! ? -1 : 1));
      expect(live, table).toEqual(expected);
    }
  });

  it('the same events in shuffled pages, with shared created_at, end with the tables the ordered stream gives', async () => {
    // Five events per created_at: ties on the event time are broken by the event id.
    const events = lifecycleEvents(2000, 13, { perSecond: 5 });
    const ordered = newSchema();
    await writeAll(makeSink(ordered), pagesOf(events, 100));
    for (const seed of [1, 2]) {
      const mixed = newSchema();
      // Events shuffled across pages, then the pages shuffled.
      await writeAll(makeSink(mixed), shuffled(pagesOf(shuffled(events, seed), 100), seed));
      // ignored_events counts in stream order (a replay counts nothing), so a shuffle undercounts it.
      expect(await dump(mixed, { synced: false, ignored: false, unordered: true }), `seed ${seed}`).toEqual(await dump(ordered, { synced: false, ignored: false, unordered: true }));
    }
  });

  it('the legacy directory deletion (every member, user and group first) in shuffled pages ends as in order', async () => {
    const events = lifecycleEvents(2000, 14, { legacyDirectoryDeletes: true });
    expect(events.some((e) => e.event === 'dsync.deleted')).toBe(true);
    const ordered = newSchema();
    await writeAll(makeSink(ordered), pagesOf(events, 50));
    const mixed = newSchema();
    await writeAll(makeSink(mixed), shuffled(pagesOf(events, 50), 3));
    expect(await dump(mixed, { synced: false, ignored: false, unordered: true })).toEqual(await dump(ordered, { synced: false, ignored: false, unordered: true }));
  });

  it('a stale update replayed after a delete does not bring the row back', async () => {
    const schema = newSchema();
    const sink = makeSink(schema);
    const user = (v: number, state: string) => ({ object: 'directory_user', id: 'directory_user_9', directory_id: 'directory_9', email: `u${v}@acme.com`, state, created_at: t(0), updated_at: t(v) });
    const created = event('dsync.user.created', user(0, 'active'), t(0));
    const updated = event('dsync.user.updated', user(5, 'active'), t(5));
    // WorkOS's delete event may carry the object as it was: the same updated_at as the last update.
    const deleted = event('dsync.user.deleted', user(5, 'inactive'), t(9));
    await sink.write({ events: [created, updated] });
    await sink.write({ events: [deleted] });
    const tombstone = await rowOf(schema, 'directory_users', 'directory_user_9');
    expect(tombstone).toMatchObject({ deleted_at: t(9), state: 'inactive', last_event_id: deleted.id });

    await sink.write({ events: [updated] });
    await sink.write({ events: [created, updated] });
    // A late copy of an older update, under a new event id, is still older than the tombstone.
    await sink.write({ events: [event('dsync.user.updated', user(4, 'active'), t(4))] });
    expect(await rowOf(schema, 'directory_users', 'directory_user_9')).toEqual(tombstone);
  });

  it('a delete keeps the columns its data lacks, and stores its data as raw', async () => {
    const schema = newSchema();
    const sink = makeSink(schema);
    const connection = { object: 'connection', id: 'conn_5', organization_id: 'org_5', connection_type: 'OktaSAML', name: 'Okta', state: 'active', created_at: t(0), updated_at: t(0) };
    await sink.write({ events: [event('connection.activated', connection, t(0))] });
    const bare = { object: 'connection', id: 'conn_5', state: 'deleting' };
    await sink.write({ events: [event('connection.deleted', bare, t(5))] });
    expect(await rowOf(schema, 'connections', 'conn_5')).toMatchObject({
      organization_id: 'org_5', connection_type: 'OktaSAML', name: 'Okta', state: 'deleting', raw: bare, created_at: t(0), updated_at: t(5), deleted_at: t(5),
    });
  });

  it('a group member removed and added again is live again, and replaying the removal does not remove it', async () => {
    const schema = newSchema();
    const sink = makeSink(schema);
    const data = (v: number) => ({ directory_id: 'directory_1', user: { object: 'directory_user', id: 'directory_user_1', updated_at: t(0), note: v }, group: { object: 'directory_group', id: 'directory_group_1', updated_at: t(0) } });
    const added = event('dsync.group.user_added', data(1), t(10));
    const removed = event('dsync.group.user_removed', data(2), t(20));
    const readded = event('dsync.group.user_added', data(3), t(30));
    const id = 'directory_group_1:directory_user_1';
    await sink.write({ events: [added] });
    await sink.write({ events: [removed] });
    expect(await rowOf(schema, 'directory_group_memberships', id)).toMatchObject({ deleted_at: t(20), updated_at: t(20) });
    await sink.write({ events: [readded] });
    const live = await rowOf(schema, 'directory_group_memberships', id);
    expect(live).toMatchObject({ deleted_at: null, updated_at: t(30), raw: data(3), last_event_id: readded.id });
    await sink.write({ events: [added, removed] });
    await sink.write({ events: [removed] });
    expect(await rowOf(schema, 'directory_group_memberships', id)).toEqual(live);
    // All three in one page: the newest change wins.
    const other = newSchema();
    await makeSink(other).write({ events: [removed, readded, added] });
    expect(await rowOf(other, 'directory_group_memberships', id)).toMatchObject({ deleted_at: null, raw: data(3) });
  });

  it('ties on updated_at go to the later event (by created_at, then id), whatever order they arrive in', async () => {
    const org = (name: string) => ({ object: 'organization', id: 'org_tie', name, created_at: t(0), updated_at: t(5) });
    const early = event('organization.updated', org('early'), t(6), 'event_A');
    const late = event('organization.updated', org('late'), t(7), 'event_B');
    const sameTimeLowId = event('organization.updated', org('same time, lower id'), t(7), 'event_0');
    for (const order of [[early, late, sameTimeLowId], [sameTimeLowId, late, early], [late, early, sameTimeLowId]]) {
      const schema = newSchema();
      const sink = makeSink(schema);
      for (const e of order) await sink.write({ events: [e] });
      expect(await rowOf(schema, 'organizations', 'org_tie')).toMatchObject({ name: 'late', last_event_id: 'event_B' });
      const together = newSchema();
      await makeSink(together).write({ events: order });
      expect(await rowOf(together, 'organizations', 'org_tie')).toMatchObject({ name: 'late', last_event_id: 'event_B' });
    }
  });

  it('a sole dsync.deleted deletes the directory users, groups and memberships, whichever arrives first', async () => {
    const dir = { object: 'directory', id: 'directory_7', organization_id: 'org_7', state: 'active', created_at: t(0), updated_at: t(0) };
    const du = { object: 'directory_user', id: 'directory_user_7', directory_id: 'directory_7', created_at: t(1), updated_at: t(1) };
    const dg = { object: 'directory_group', id: 'directory_group_7', directory_id: 'directory_7', created_at: t(2), updated_at: t(2) };
    const stream = [
      event('dsync.activated', dir, t(0)),
      event('dsync.user.created', du, t(1)),
      event('dsync.group.created', dg, t(2)),
      event('dsync.group.user_added', { directory_id: 'directory_7', user: du, group: dg }, t(3)),
      event('dsync.deleted', { ...dir, updated_at: t(9) }, t(9)),
      event('session.created', { object: 'session', id: 'session_1' }, t(10)),
    ];
    const ordered = newSchema();
    const orderedSink = makeSink(ordered);
    for (const e of stream) await orderedSink.write({ events: [e] });
    for (const table of ['directories', 'directory_users', 'directory_groups', 'directory_group_memberships'] as const) {
      const rows = await rowsOf(ordered, table);
      expect(rows.map((r) => r['deleted_at']), table).toEqual([t(9)]);
    }
    for (const order of [[...stream].reverse(), [stream[4]!, stream[0]!, stream[3]!, stream[1]!, stream[2]!]]) {
      const mixed = newSchema();
      const sink = makeSink(mixed);
      for (const e of order) await sink.write({ events: [e] });
      expect(await dump(mixed, { synced: false, ignored: false })).toEqual(await dump(ordered, { synced: false, ignored: false }));
    }
  });

  it('counts the events it ignores per type, once each, even when a page is replayed', async () => {
    const schema = newSchema();
    const sink = makeSink(schema);
    const session = (n: number) => event('session.created', { object: 'session', id: `session_${n}` }, t(n));
    const page1 = [session(1), event('organization.created', { object: 'organization', id: 'org_1', updated_at: t(1) }, t(1)), session(2), event('widget.frobnicated', { id: 'widget_1' }, t(3))];
    await sink.write({ events: page1 });
    await sink.write({ events: page1 });
    const counts = async () => (await rowsOf(schema, 'ignored_events')).map((r) => [r['event_type'], r['count']]);
    expect(await counts()).toEqual([['session.created', '2'], ['widget.frobnicated', '1']]);
    const page2 = [session(4), event('connection.saml_certificate_renewed', { id: 'conn_1' }, t(5))];
    await sink.write({ events: [...page1.slice(2), ...page2] });
    await sink.write({ events: page2 });
    expect(await counts()).toEqual([['connection.saml_certificate_renewed', '1'], ['session.created', '3'], ['widget.frobnicated', '1']]);
    expect((await rowsOf(schema, 'organizations')).length).toBe(1);
  });

  it('a page with an event Postgres refuses writes nothing of the page and fails as rejected', async () => {
    const schema = newSchema();
    const sink = makeSink(schema);
    const good = lifecycleEvents(60, 15);
    for (const [index, bad] of [
      [30, event('user.created', { object: 'user', id: 'user_nul', first_name: 'Nul \u0000 inside', updated_at: t(1) }, t(1))],
      [59, event('organization.updated', { object: 'organization', id: 'org_nul', metadata: { note: 'a NUL \u0000 in raw only' }, updated_at: t(1) }, t(1))],
    ] as const) {
      const events = [...good];
      events.splice(index, 0, bad);
      const err = await sink.write({ events }).then(() => undefined, (e: unknown) => e);
      expect(isWesError(err), String(err)).toBe(true);
      expect(err).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
      expect((err as Error).message).toMatch(/\(22[0-9A-Z]{3}\)/);
      for (const table of [...TABLES, 'ignored_events']) expect(await rowsOf(schema, table), table).toEqual([]);
    }
    // The sink is still usable, and the same events without the bad one go through.
    await sink.write({ events: good });
    expect((await rowsOf(schema, 'organizations')).length).toBeGreaterThan(0);
  });

  it('rejects a page whose object has no id, or whose time is not a time, before sending anything', async () => {
    const schema = newSchema();
    const sink = makeSink(schema);
    await sink.open();
    const spy = vi.spyOn(pg.Client.prototype, 'query');
    for (const bad of [
      event('user.updated', { object: 'user', email: 'no-id@acme.com' }, t(1)),
      event('dsync.group.user_added', { directory_id: 'directory_1', user: { id: 'directory_user_1' }, group: {} }, t(1)),
      event('organization.updated', { object: 'organization', id: 'org_1', updated_at: 'yesterday' }, t(1)),
      event('session.created', { object: 'session', id: 'session_1' }, 'not a time'),
    ]) {
      const err = await sink.write({ events: [lifecycleEvents(1, 16)[0]!, bad] }).then(() => undefined, (e: unknown) => e);
      expect(err, bad.event).toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
      expect((err as Error).message).toContain(bad.id);
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it('writes a page with one statement per table, however many events of that table it holds', async () => {
    const schema = newSchema();
    const sink = makeSink(schema);
    await sink.open();
    const spy = vi.spyOn(pg.Client.prototype, 'query');
    const statements = () => spy.mock.calls.map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text).trim().replace(/\s+/g, ' '));
    const events = lifecycleEvents(600, 17);
    const page = events.slice(0, 100);
    await sink.write({ events: page });

    const sent = statements();
    const tablesInPage = new Set(page.flatMap((e) => routeEvent(e.event)?.table ?? []));
    expect(tablesInPage.size).toBeGreaterThanOrEqual(6);
    // One per table, two where an object is changed and then deleted without some field in the
    // same page (a directory's activation and its dsync.deleted: the delete keeps the domain).
    let rounds = 0;
    for (const table of TABLES) {
      const inserts = sent.filter((s) => s.startsWith('with v (') && s.includes(`) insert into "${schema}"."${table}" as t `));
      expect(inserts.length, table).toBe(tablesInPage.has(table) ? (table === 'directories' ? inserts.length : 1) : 0);
      expect(inserts.length, table).toBeLessThanOrEqual(2);
      rounds += Math.max(0, inserts.length - 1);
    }
    expect(sent.filter((s) => s.startsWith(`with fresh as`)).length).toBe(1);
    expect(sent[0]).toBe('begin');
    expect(sent.at(-1)).toBe('commit');
    // Cascades of deletions add at most one statement per (child, parent) pair: 5.
    expect(sent.length).toBeLessThanOrEqual(2 + tablesInPage.size + rounds + 1 + 5);

    // A page of 500 events costs no more statements than one of 100.
    spy.mockClear();
    await sink.write({ events: events.slice(100) });
    expect(statements().length).toBeLessThanOrEqual(2 + TABLES.length + 1 + 1 + 5);
  });
});
