import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS, type ObjectKind, type StoredEvent } from '../../fakes/fake-workos.js';
import { applyLifecycle } from '../../fakes/lifecycle.js';
import { OBJECT_KINDS } from '../../fakes/object-state.js';
import { listedObject } from '../../fakes/state-views.js';

type Json = Record<string, unknown>;
interface ListBody {
  object: string;
  data: Json[];
  list_metadata: { before: string | null; after: string | null };
}

let fake: FakeWorkOS;
let clockMs: number;

beforeEach(async () => {
  clockMs = Date.parse('2026-02-01T12:00:00.000Z');
  fake = await startFakeWorkOS({ now: () => new Date(clockMs) });
});

afterEach(async () => {
  await fake.close();
});

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.url}${path}`, { headers: { Authorization: `Bearer ${fake.apiKey}`, ...headers } });
}

async function list(path: string): Promise<ListBody> {
  const response = await get(path);
  expect(response.status, path).toBe(200);
  return (await response.json()) as ListBody;
}

/** Every object of a listing, following list_metadata.after as reconcile does. */
async function listAll(path: string, limit = 100, order: 'asc' | 'desc' = 'asc'): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const separator = path.includes('?') ? '&' : '?';
    const body = await list(`${path}${separator}limit=${limit}&order=${order}${after ? `&after=${after}` : ''}`);
    out.push(...body.data);
    after = body.list_metadata.after;
    if (after === null) return out;
  }
  throw new Error('listing did not end');
}

const ids = (objects: readonly Json[]): unknown[] => objects.map((o) => o['id']);

function user(id: string, extra: Json = {}): Json {
  return { object: 'user', id, email: `${id}@example.com`, created_at: new Date(clockMs).toISOString(), updated_at: new Date(clockMs).toISOString(), ...extra };
}

function addUsers(n: number): StoredEvent[] {
  return Array.from({ length: n }, (_, i) => {
    clockMs += 1000;
    return fake.addEvent('user.created', user(`user_${String(i).padStart(2, '0')}`));
  });
}

describe('the fake WorkOS state APIs', () => {
  it('serves a list derived from the events, newest first by default, with X-Request-ID', async () => {
    addUsers(3);
    clockMs += 1000;
    fake.addEvent('user.updated', user('user_01', { first_name: 'Grace', created_at: fake.events[1]?.data['created_at'] }));
    const response = await get('/user_management/users', { 'X-Request-ID': 'req_mine' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-request-id')).toBe('req_mine');
    const body = (await response.json()) as ListBody;
    expect(body.object).toBe('list');
    expect(ids(body.data)).toEqual(['user_02', 'user_01', 'user_00']);
    expect(body.data[1]).toEqual(fake.events.at(-1)?.data);
    expect(body.list_metadata).toEqual({ before: null, after: null });
    expect(fake.state.list('users').map((u) => u['id'])).toEqual(['user_00', 'user_01', 'user_02']);
  });

  it('drops deleted objects', async () => {
    addUsers(3);
    fake.addEvent('user.deleted', user('user_01'));
    expect(ids((await list('/user_management/users?order=asc')).data)).toEqual(['user_00', 'user_02']);
    expect(fake.state.isDeleted('users', 'user_01')).toBe(true);
  });

  it('pages with limit, after, before and order (asc, desc, normal)', async () => {
    addUsers(25);
    const all = fake.state.list('users').map((u) => u['id']);
    expect(ids(await listAll('/user_management/users', 10, 'asc'))).toEqual(all);
    expect(ids(await listAll('/user_management/users', 7, 'desc'))).toEqual([...all].reverse());
    const first = await list('/user_management/users?order=normal&limit=10');
    expect(ids(first.data)).toEqual(all.slice(0, 10));
    expect(first.list_metadata).toEqual({ before: null, after: 'user_09' });
    const second = await list('/user_management/users?order=asc&limit=10&after=user_09');
    expect(second.list_metadata).toEqual({ before: 'user_10', after: 'user_19' });
    const back = await list('/user_management/users?order=asc&limit=10&before=user_10');
    expect(ids(back.data)).toEqual(all.slice(0, 10));
    expect((await list('/user_management/users')).data).toHaveLength(10);
    expect((await list('/user_management/users?limit=100')).data).toHaveLength(25);
  });

  it('rejects a limit outside 1..100 and an unknown order with 422', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'order=sideways']) {
      const response = await get(`/organizations?${query}`);
      expect(response.status, query).toBe(422);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(await response.json()).toMatchObject({ message: expect.any(String), code: 'unprocessable_entity', errors: [{ field: query.split('=')[0] }] });
    }
    expect((await get('/organizations?limit=1')).status).toBe(200);
  });

  it('requires organization_id or user_id, directory or group, directory or user with 422', async () => {
    const required: [string, string[]][] = [
      ['/user_management/organization_memberships', ['organization_id', 'user_id']],
      ['/directory_users', ['directory', 'group']],
      ['/directory_groups', ['directory', 'user']],
    ];
    for (const [path, fields] of required) {
      const response = await get(`${path}?limit=5&organization_id=`);
      expect(response.status, path).toBe(422);
      expect(await response.json()).toEqual({
        message: `${fields.join(' or ')} is required`,
        code: 'unprocessable_entity',
        errors: fields.map((field) => ({ code: 'required', field })),
      });
      for (const field of fields) expect((await get(`${path}?${field}=x`)).status, `${path} ${field}`).toBe(200);
    }
  });

  it('applies the filters of each route', async () => {
    fake.addEvent('organization_membership.created', { object: 'organization_membership', id: 'om_1', user_id: 'user_00', organization_id: 'org_A', created_at: '2026-02-01T00:00:00.000Z' });
    addUsers(3);
    fake.addEvent('connection.activated', { object: 'connection', id: 'conn_1', organization_id: 'org_A' });
    fake.addEvent('connection.activated', { object: 'connection', id: 'conn_2', organization_id: 'org_B' });
    fake.addEvent('dsync.activated', { object: 'directory', id: 'dir_1', organization_id: 'org_B' });
    const du = { object: 'directory_user', id: 'du_1', directory_id: 'dir_1' };
    const dg = { object: 'directory_group', id: 'dg_1', directory_id: 'dir_1' };
    fake.addEvent('dsync.user.created', du);
    fake.addEvent('dsync.user.created', { ...du, id: 'du_2' });
    fake.addEvent('dsync.group.created', dg);
    fake.addEvent('dsync.group.user_added', { directory_id: 'dir_1', user: du, group: dg });
    const expectations: [string, unknown[]][] = [
      ['/user_management/users?organization_id=org_A', ['user_00']],
      ['/user_management/users?email=USER_01@example.com', ['user_01']],
      ['/user_management/organization_memberships?organization_id=org_A', ['om_1']],
      ['/user_management/organization_memberships?user_id=user_01', []],
      ['/connections?organization_id=org_B', ['conn_2']],
      ['/connections', ['conn_1', 'conn_2']],
      ['/directories?organization_id=org_B', ['dir_1']],
      ['/directories?organization_id=org_A', []],
      ['/directory_users?directory=dir_1', ['du_1', 'du_2']],
      ['/directory_users?group=dg_1', ['du_1']],
      ['/directory_groups?user=du_1', ['dg_1']],
      ['/directory_groups?user=du_2', []],
      ['/organizations?domains=acme.com', []],
    ];
    for (const [path, expected] of expectations) {
      expect(ids((await list(`${path}${path.includes('?') ? '&' : '?'}order=asc`)).data), path).toEqual(expected);
    }
  });

  it('answers 401 to a wrong key and 404 to another path or method, as /events does', async () => {
    const wrong = await fetch(`${fake.url}/organizations`, { headers: { Authorization: 'Bearer sk_wrong' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: 'Unauthorized' });
    expect((await get('/user_management/invitations')).status).toBe(404);
    const post = await fetch(`${fake.url}/organizations`, { method: 'POST', headers: { Authorization: `Bearer ${fake.apiKey}` } });
    expect(post.status).toBe(404);
  });

  it('plays scripted answers, latency and the rate limit on these routes too', async () => {
    addUsers(1);
    fake.script({ status: 503, json: { message: 'Unavailable' } }, { kind: 'reset' });
    expect((await get('/organizations')).status).toBe(503);
    await expect(get('/user_management/users')).rejects.toThrow();
    expect((await get('/user_management/users')).status).toBe(200);

    fake.latencyMs = 60;
    const started = performance.now();
    expect((await get('/connections')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    fake.latencyMs = 0;

    fake.rateLimit = { perMinute: 2 };
    expect((await get('/directories')).headers.get('x-ratelimit-remaining')).toBe('1');
    expect((await get('/events')).status).toBe(200);
    const limited = await get('/organizations');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(fake.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/organizations 503',
      '/user_management/users 0',
      '/user_management/users 200',
      '/connections 200',
      '/directories 200',
      '/events 200',
      '/organizations 429',
    ]);
  });

  it('keeps the state when retention drops old events', () => {
    addUsers(3);
    expect(fake.removeEventsBefore(fake.events.at(-1)?.created_at ?? '')).toBe(2);
    expect(fake.state.size('users')).toBe(3);
  });
});

/** Each kind's routing, written again here so the check does not trust object-state.ts. */
function kindOf(type: string): { kind: ObjectKind; remove: boolean } | undefined {
  const table: [RegExp, ObjectKind][] = [
    [/^organization\.(created|updated|deleted)$/, 'organizations'],
    [/^organization_domain\.(created|updated|verified|verification_failed|deleted)$/, 'organization_domains'],
    [/^user\.(created|updated|deleted)$/, 'users'],
    [/^organization_membership\.(created|updated|deleted)$/, 'organization_memberships'],
    [/^connection\.(activated|deactivated|deleted)$/, 'connections'],
    [/^dsync\.(activated|deactivated|deleted)$/, 'directories'],
    [/^dsync\.user\.(created|updated|deleted)$/, 'directory_users'],
    [/^dsync\.group\.(created|updated|deleted)$/, 'directory_groups'],
    [/^dsync\.group\.(user_added|user_removed)$/, 'directory_group_memberships'],
  ];
  const kind = table.find(([pattern]) => pattern.test(type))?.[1];
  return kind ? { kind, remove: type.endsWith('.deleted') || type.endsWith('user_removed') } : undefined;
}

/** The expected state: the latest data of every object whose latest event is not a deletion. */
function replay(events: readonly StoredEvent[]): Map<ObjectKind, Map<string, Json>> {
  const state = new Map<ObjectKind, Map<string, Json>>(OBJECT_KINDS.map((kind) => [kind, new Map()]));
  const of = (kind: ObjectKind): Map<string, Json> => state.get(kind) as Map<string, Json>;
  for (const event of events) {
    const routed = kindOf(event.event);
    if (!routed) continue;
    // WorkOS wraps the domain of a failed verification: { reason, organization_domain }.
    const data = event.event === 'organization_domain.verification_failed' ? (event.data['organization_domain'] as Json) : event.data;
    const id =
      routed.kind === 'directory_group_memberships'
        ? `${String((data['group'] as Json)['id'])}:${String((data['user'] as Json)['id'])}`
        : String(data['id']);
    if (!routed.remove) {
      of(routed.kind).set(id, data);
      continue;
    }
    of(routed.kind).delete(id);
    if (routed.kind === 'directories') {
      // A sole dsync.deleted: WorkOS deletes the directory's users and groups with it.
      for (const kind of ['directory_users', 'directory_groups', 'directory_group_memberships'] as const) {
        for (const [childId, child] of of(kind)) if (child['directory_id'] === id) of(kind).delete(childId);
      }
    }
  }
  return state;
}

describe('a long random lifecycle', () => {
  it('leaves every live object equal to its latest event data, in fake.state and over HTTP', async () => {
    const added = applyLifecycle(fake, 5000, { seed: 3, start: '2026-01-20T00:00:00.000Z', spacingMs: 250 });
    expect(added).toHaveLength(5000);
    expect(added[1]?.created_at).toBe('2026-01-20T00:00:00.250Z');
    const expected = replay(fake.events);

    for (const kind of OBJECT_KINDS) {
      const listed = fake.state.list(kind);
      const want = expected.get(kind) as Map<string, Json>;
      expect(listed.length, kind).toBe(want.size);
      expect(want.size, `${kind} has live objects`).toBeGreaterThan(0);
      for (const object of listed) {
        const id =
          kind === 'directory_group_memberships'
            ? `${String((object['group'] as Json)['id'])}:${String((object['user'] as Json)['id'])}`
            : String(object['id']);
        expect(object, `${kind} ${id}`).toEqual(want.get(id));
      }
      expect(fake.state.deletedIds(kind).length, `${kind} has deletions`).toBeGreaterThan(0);
      for (const id of fake.state.deletedIds(kind)) expect(want.has(id)).toBe(false);
    }

    // Over HTTP: the unfiltered listings in full, ordered by created_at then id, each object as
    // its API shows it (directory-sync-fidelity.test.ts checks those shapes against the SDK's).
    const sorted = (kind: ObjectKind): Json[] =>
      [...(expected.get(kind) as Map<string, Json>).values()].sort(
        (a, b) => Date.parse(String(a['created_at'])) - Date.parse(String(b['created_at'])) || (String(a['id']) < String(b['id']) ? -1 : 1),
      ).map((o) => listedObject(fake.state, kind, o));
    for (const [path, kind] of [['/organizations', 'organizations'], ['/user_management/users', 'users'], ['/connections', 'connections'], ['/directories', 'directories']] as const) {
      expect(await listAll(path), path).toEqual(sorted(kind));
    }
    expect(ids(await listAll('/organizations', 100, 'desc'))).toEqual(ids(sorted('organizations')).reverse());

    // Filtered listings, for a sample of organizations and directories.
    const orgIds = ids(sorted('organizations')).filter((_, i) => i % 25 === 0) as string[];
    for (const orgId of orgIds) {
      const memberships = sorted('organization_memberships').filter((m) => m['organization_id'] === orgId);
      expect(await listAll(`/user_management/organization_memberships?organization_id=${orgId}`, 5)).toEqual(memberships);
      const memberIds = new Set(memberships.map((m) => m['user_id']));
      expect(await listAll(`/user_management/users?organization_id=${orgId}`, 5)).toEqual(sorted('users').filter((u) => memberIds.has(u['id'])));
      expect(await listAll(`/connections?organization_id=${orgId}`)).toEqual(sorted('connections').filter((c) => c['organization_id'] === orgId));
    }
    const directoryIds = ids(sorted('directories')).filter((_, i) => i % 5 === 0) as string[];
    let members = 0;
    for (const directoryId of directoryIds) {
      expect(await listAll(`/directory_users?directory=${directoryId}`, 10)).toEqual(sorted('directory_users').filter((u) => u['directory_id'] === directoryId));
      const groups = sorted('directory_groups').filter((g) => g['directory_id'] === directoryId);
      expect(await listAll(`/directory_groups?directory=${directoryId}`, 10)).toEqual(groups);
      for (const group of groups) {
        const memberIds = new Set(
          [...(expected.get('directory_group_memberships') as Map<string, Json>).keys()].filter((k) => k.startsWith(`${String(group['id'])}:`)).map((k) => k.split(':')[1]),
        );
        members += memberIds.size;
        expect(await listAll(`/directory_users?group=${String(group['id'])}`)).toEqual(sorted('directory_users').filter((u) => memberIds.has(u['id'] as string)));
      }
    }
    expect(members).toBeGreaterThan(0);
  }, 60_000);
});
