import { createEventIdGenerator } from '../fakes/event-ids.js';
import { createPrng } from '../fakes/prng.js';
import { ExpectedMirror, type Json, type ModelEvent } from './expected-rows.js';

/** One step of a random lifecycle: which operation, on which objects (`a`, `b` index the live ones), how much time passes first. */
export interface Step {
  readonly op: OperationName;
  readonly a: number;
  readonly b: number;
  /** A coin for the operation's variants (a field set or nulled, a membership removed first or left to the cascade). */
  readonly flip: boolean;
  /** ms before the step's first event; 0 puts it in the same millisecond as the last. */
  readonly dt: number;
}

interface Live {
  data: Json;
  parent?: string;
}

const BASE_MS = Date.parse('2026-05-01T08:00:00.000Z');

/**
 * A small world of WorkOS objects driven by steps: every step emits the events WorkOS would
 * send for it (shaped as the SDK types them) and applies them to an ExpectedMirror. Objects are
 * changed only while live; a deleted object never comes back (group memberships may be re-added).
 */
export class WorkOSModel {
  readonly events: ModelEvent[] = [];
  readonly expected = new ExpectedMirror();
  readonly #live = new Map<string, Map<string, Live>>();
  readonly #nextEventId = createEventIdGenerator(createPrng(7));
  #clock = BASE_MS;
  #serial = 0;

  run(steps: readonly Step[]): this {
    for (const step of steps) {
      this.#clock += step.dt;
      OPERATIONS[step.op](this, step);
    }
    return this;
  }

  // Helpers for the operations below.

  live(table: string): Map<string, Live> {
    let map = this.#live.get(table);
    if (!map) this.#live.set(table, (map = new Map()));
    return map;
  }

  pick(table: string, index: number, where: (l: Live) => boolean = () => true): [string, Live] | undefined {
    const candidates = [...this.live(table)].filter(([, l]) => where(l));
    return candidates.length === 0 ? undefined : candidates[index % candidates.length];
  }

  id(prefix: string): string {
    return `${prefix}_${String(++this.#serial).padStart(4, '0')}`;
  }

  get now(): string {
    return new Date(this.#clock).toISOString();
  }

  /** A change's updated_at: now, or (with `same`) the previous one, as WorkOS's delete events sometimes carry it. */
  touch(data: Json, same = false): Json {
    if (!same) data['updated_at'] = this.now;
    return data;
  }

  emit(type: string, data: Json): ModelEvent {
    const event = { object: 'event', id: this.#nextEventId(this.#clock), event: type, data: structuredClone(data), created_at: this.now };
    this.events.push(event);
    return event;
  }

  /** Emits an event that upserts or deletes `table`'s object `id`, and applies it to the expected rows. */
  change(type: string, table: string, id: string, action: 'upsert' | 'delete', data: Json, object: Json = data): void {
    const event = this.emit(type, data);
    this.expected.apply(table, id, action, structuredClone(object), event);
  }
}

type Operation = (m: WorkOSModel, s: Step) => void;

const org = (m: WorkOSModel, s: Step) => m.pick('organizations', s.a);
const directory = (m: WorkOSModel, s: Step, state?: string) => m.pick('directories', s.a, (l) => state === undefined || l.data['state'] === state);

function createOrganization(m: WorkOSModel, s: Step): void {
  const id = m.id('org');
  const data = { object: 'organization', id, name: `Org ${id}`, allow_profiles_outside_organization: false, domains: [], external_id: s.flip ? `ext_${id}` : null, metadata: {}, created_at: m.now, updated_at: m.now };
  m.live('organizations').set(id, { data });
  m.change('organization.created', 'organizations', id, 'upsert', data);
}

function createDirectoryUser(m: WorkOSModel, s: Step): void {
  const found = directory(m, s, 'active');
  if (!found) return;
  const [directoryId, dir] = found;
  const id = m.id('directory_user');
  const data: Json = {
    object: 'directory_user', id, directory_id: directoryId, organization_id: dir.data['organization_id'], idp_id: `idp-${id}`, first_name: 'Grace', last_name: s.flip ? null : 'Hopper',
    email: `${id}@acme.test`, state: 'active', raw_attributes: {}, custom_attributes: { department: s.flip ? 'Sales' : 'Engineering' }, role: { slug: 'member' }, created_at: m.now, updated_at: m.now,
  };
  m.live('directory_users').set(id, { data, parent: directoryId });
  m.change('dsync.user.created', 'directory_users', id, 'upsert', data);
}

function createGroup(m: WorkOSModel, s: Step): void {
  const found = directory(m, s, 'active');
  if (!found) return;
  const [directoryId, dir] = found;
  const id = m.id('directory_group');
  const data = { object: 'directory_group', id, idp_id: `idp-${id}`, directory_id: directoryId, organization_id: dir.data['organization_id'], name: 'Engineering', raw_attributes: {}, created_at: m.now, updated_at: m.now };
  m.live('directory_groups').set(id, { data, parent: directoryId });
  m.change('dsync.group.created', 'directory_groups', id, 'upsert', data);
}

const membershipId = (group: string, user: string) => `${group}:${user}`;

function removeMember(m: WorkOSModel, id: string): void {
  const live = m.live('directory_group_memberships').get(id)!;
  m.live('directory_group_memberships').delete(id);
  m.change('dsync.group.user_removed', 'directory_group_memberships', id, 'delete', live.data);
}

/** A directory user or group deleted: its memberships removed first (one event each), or (`flip`) left to the mirror's cascade, as WorkOS does not promise them. */
function deleteDirectoryChild(m: WorkOSModel, s: Step, table: 'directory_users' | 'directory_groups'): void {
  const found = m.pick(table, s.a);
  if (!found) return;
  const [id, child] = found;
  const column = table === 'directory_users' ? 'directory_user_id' : 'directory_group_id';
  for (const [membership, live] of [...m.live('directory_group_memberships')]) {
    if ((live.data[table === 'directory_users' ? 'user' : 'group'] as Json)['id'] !== id) continue;
    if (!s.flip) removeMember(m, membership);
    else m.live('directory_group_memberships').delete(membership);
  }
  m.live(table).delete(id);
  m.change(table === 'directory_users' ? 'dsync.user.deleted' : 'dsync.group.deleted', table, id, 'delete', m.touch(child.data, s.flip));
  m.expected.cascade('directory_group_memberships', column, id, m.now);
}

/** A simple update of a live object: `edit` changes its data, then the event carries it. */
const update = (table: string, type: string, edit: (data: Json, s: Step, m: WorkOSModel) => void): Operation => (m, s) => {
  const found = m.pick(table, s.a);
  if (!found) return;
  const [id, live] = found;
  edit(live.data, s, m);
  m.change(type, table, id, 'upsert', m.touch(live.data));
};

/** A delete of a live object with its final state: its own updated_at, or (`flip`) the last one again. */
const remove = (table: string, type: string): Operation => (m, s) => {
  const found = m.pick(table, s.a);
  if (!found) return;
  const [id, live] = found;
  m.live(table).delete(id);
  m.change(type, table, id, 'delete', m.touch(live.data, s.flip));
};

export const OPERATIONS = {
  createOrganization,
  updateOrganization: update('organizations', 'organization.updated', (d, s) => {
    d['name'] = `${String(d['name'])}+`;
    d['external_id'] = s.flip ? null : `ext_${String(d['id'])}`;
  }),
  deleteOrganization: remove('organizations', 'organization.deleted'),
  createDomain(m, s) {
    const found = org(m, s);
    if (!found) return;
    const id = m.id('org_domain');
    const data = { object: 'organization_domain', id, domain: `${id}.test`, organization_id: found[0], state: 'pending', verification_token: 'tok', verification_strategy: 'dns', verification_prefix: 'workos', created_at: m.now, updated_at: m.now };
    m.live('organization_domains').set(id, { data });
    m.change('organization_domain.created', 'organization_domains', id, 'upsert', data);
  },
  verifyDomain(m, s) {
    const found = m.pick('organization_domains', s.a, (l) => l.data['state'] === 'pending');
    if (!found) return;
    const [id, live] = found;
    live.data['state'] = s.flip ? 'failed' : 'verified';
    m.touch(live.data);
    if (s.flip) m.change('organization_domain.verification_failed', 'organization_domains', id, 'upsert', { reason: 'domain_verification_period_expired', organization_domain: live.data }, live.data);
    else m.change('organization_domain.verified', 'organization_domains', id, 'upsert', live.data);
  },
  deleteDomain: remove('organization_domains', 'organization_domain.deleted'),
  createUser(m, s) {
    const id = m.id('user');
    const data = { object: 'user', id, email: `${id}@acme.test`, first_name: 'Ada', last_name: s.flip ? null : 'Lovelace', email_verified: s.flip, external_id: null, metadata: {}, created_at: m.now, updated_at: m.now };
    m.live('users').set(id, { data });
    m.change('user.created', 'users', id, 'upsert', data);
  },
  updateUser: update('users', 'user.updated', (d, s) => {
    d['last_name'] = s.flip ? null : 'Byron';
    d['email_verified'] = !s.flip;
  }),
  /** The defect this test was written for: last_name nulled, then deleted, both carrying null. */
  nullThenDeleteUser(m, s) {
    OPERATIONS.updateUser(m, { ...s, flip: true });
    OPERATIONS.deleteUser(m, { ...s, flip: true });
  },
  deleteUser: remove('users', 'user.deleted'),
  createMembership(m, s) {
    const o = org(m, s);
    const u = m.pick('users', s.b);
    if (!o || !u) return;
    const id = m.id('om');
    const data = { object: 'organization_membership', id, user_id: u[0], organization_id: o[0], status: 'active', role: { slug: 'member' }, created_at: m.now, updated_at: m.now };
    m.live('organization_memberships').set(id, { data });
    m.change('organization_membership.created', 'organization_memberships', id, 'upsert', data);
  },
  updateMembership: update('organization_memberships', 'organization_membership.updated', (d, s) => {
    if (s.flip) d['role'] = { slug: 'admin' };
    else d['status'] = d['status'] === 'active' ? 'inactive' : 'active';
  }),
  deleteMembership: remove('organization_memberships', 'organization_membership.deleted'),
  activateConnection(m, s) {
    const dormant = m.pick('connections', s.a, (l) => l.data['state'] === 'inactive');
    if (dormant && s.flip) {
      dormant[1].data['state'] = 'active';
      m.change('connection.activated', 'connections', dormant[0], 'upsert', m.touch(dormant[1].data));
      return;
    }
    const o = org(m, s);
    if (!o) return;
    const id = m.id('conn');
    const data = { object: 'connection', id, organization_id: o[0], connection_type: 'OktaSAML', name: `SSO ${id}`, state: 'active', domains: [], created_at: m.now, updated_at: m.now };
    m.live('connections').set(id, { data });
    m.change('connection.activated', 'connections', id, 'upsert', data);
  },
  deactivateConnection: update('connections', 'connection.deactivated', (d) => {
    d['state'] = 'inactive';
  }),
  deleteConnection: remove('connections', 'connection.deleted'),
  activateDirectory(m, s) {
    const dormant = directory(m, s, 'inactive');
    if (dormant && s.flip) {
      dormant[1].data['state'] = 'active';
      m.change('dsync.activated', 'directories', dormant[0], 'upsert', m.touch(dormant[1].data));
      return;
    }
    const o = org(m, s);
    if (!o) return;
    const id = m.id('directory');
    const data = { object: 'directory', id, external_key: `key-${id}`, type: 'okta scim v2.0', state: 'active', name: `Dir ${id}`, organization_id: o[0], domains: [{ object: 'organization_domain', id: `org_domain_of_${id}`, domain: `${id}.test` }], created_at: m.now, updated_at: m.now };
    m.live('directories').set(id, { data });
    m.change('dsync.activated', 'directories', id, 'upsert', data);
  },
  deactivateDirectory: update('directories', 'dsync.deactivated', (d) => {
    d['state'] = 'inactive';
  }),
  /** A sole dsync.deleted (no domains, no external_key): its users, groups and memberships go with it, without events. */
  deleteDirectory(m, s) {
    const found = directory(m, s);
    if (!found) return;
    const [id, dir] = found;
    for (const table of ['directory_users', 'directory_groups', 'directory_group_memberships']) {
      for (const [child, live] of [...m.live(table)]) if (live.parent === id) m.live(table).delete(child);
    }
    m.live('directories').delete(id);
    const { domains: _domains, external_key: _key, ...data } = m.touch({ ...dir.data, state: 'deleting' });
    m.change('dsync.deleted', 'directories', id, 'delete', data);
    for (const [table, column] of [['directory_users', 'directory_id'], ['directory_groups', 'directory_id'], ['directory_group_memberships', 'directory_id']] as const) m.expected.cascade(table, column, id, m.now);
  },
  createDirectoryUser,
  updateDirectoryUser: update('directory_users', 'dsync.user.updated', (d, s) => {
    const previous = { custom_attributes: d['custom_attributes'] };
    d['custom_attributes'] = { department: s.flip ? 'Support' : 'Design', job_title: 'Engineer' };
    d['previous_attributes'] = previous;
  }),
  /** Suspended (state inactive) or reactivated. */
  toggleDirectoryUser: update('directory_users', 'dsync.user.updated', (d) => {
    d['previous_attributes'] = { state: d['state'] };
    d['state'] = d['state'] === 'active' ? 'inactive' : 'active';
  }),
  deleteDirectoryUser: (m, s) => deleteDirectoryChild(m, s, 'directory_users'),
  createGroup,
  renameGroup: update('directory_groups', 'dsync.group.updated', (d) => {
    d['previous_attributes'] = { name: d['name'] };
    d['name'] = `${String(d['name'])} Team`;
  }),
  deleteGroup: (m, s) => deleteDirectoryChild(m, s, 'directory_groups'),
  /** A user added to a group of its directory (again, if it was removed). */
  addMember(m, s) {
    const group = m.pick('directory_groups', s.a);
    const user = group && m.pick('directory_users', s.b, (l) => l.parent === group[1].parent);
    if (!group || !user) return;
    const id = membershipId(group[0], user[0]);
    if (m.live('directory_group_memberships').has(id)) return;
    const data = { directory_id: group[1].parent, user: structuredClone(user[1].data), group: structuredClone(group[1].data) };
    delete (data.user as Json)['previous_attributes'];
    delete (data.group as Json)['previous_attributes'];
    m.live('directory_group_memberships').set(id, { data, parent: group[1].parent! });
    m.change('dsync.group.user_added', 'directory_group_memberships', id, 'upsert', data);
  },
  removeMember(m, s) {
    const found = m.pick('directory_group_memberships', s.a);
    if (found) removeMember(m, found[0]);
  },
  /** Events the mirror keeps no state from: counted per type. */
  ignored(m, s) {
    const event = m.emit(s.flip ? 'session.created' : 'connection.saml_certificate_renewed', { object: 'session', id: m.id('session') });
    m.expected.ignore(event);
  },
} satisfies Record<string, Operation>;

export type OperationName = keyof typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];
