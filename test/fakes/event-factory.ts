import { createUlidGenerator } from './event-ids.js';
import { createPrng } from './prng.js';

/** One generated event, ready for `fake.addEvent(type, data, { organizationId })`. */
export interface GeneratedEvent {
  type: string;
  data: Record<string, unknown>;
  organizationId?: string;
}

export interface EventFactory {
  /**
   * The next event. `at` is the event's created_at: new objects get it as created_at and
   * updated_at; a changed object gets updated_at = max(at, its previous updated_at + 1 ms), so
   * every object's updated_at strictly increases with each change even when many events share
   * one `at`. Default: an internal clock from 2026-01-15T10:00:00Z, one second per event.
   */
  next(at?: Date): GeneratedEvent;
}

export interface EventFactoryOptions {
  /**
   * `mixed` (default): the traffic seedBacklog uses: mostly directory sync and user management,
   * with sessions, SSO logins and ~2% future types; every routed type appears, deletions are rare.
   * `lifecycle`: creates, updates and deletes across every kind the mirror keeps, deletions
   * frequent, plus ~5% events the mirror ignores.
   */
  profile?: 'mixed' | 'lifecycle';
  /**
   * When a directory is deleted, WorkOS now sends a sole `dsync.deleted` (its users and groups
   * are deleted without events of their own): the default. `true` emits what WorkOS used to
   * send first: `dsync.group.user_removed`, `dsync.user.deleted` and `dsync.group.deleted` for
   * each of its memberships, users and groups.
   */
  legacyDirectoryDeletes?: boolean;
}

/** Types in the mix that are not in WorkOS's catalog: consumers must pass them through. */
export const FUTURE_EVENT_TYPES: readonly string[] = ['widget.frobnicated', 'agent.registration.approved', 'billing.invoice.finalized'];

type Json = Record<string, unknown>;

/** A set with O(1) add, delete and uniform random pick, in a deterministic order. */
class Bag<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<T, number>();

  get size(): number {
    return this.#items.length;
  }

  has(item: T): boolean {
    return this.#index.has(item);
  }

  add(item: T): void {
    if (this.#index.has(item)) return;
    this.#index.set(item, this.#items.length);
    this.#items.push(item);
  }

  delete(item: T): void {
    const index = this.#index.get(item);
    if (index === undefined) return;
    const last = this.#items.pop() as T;
    this.#index.delete(item);
    if (index < this.#items.length) {
      this.#items[index] = last;
      this.#index.set(last, index);
    }
  }

  pick(random: () => number): T | undefined {
    return this.#items[Math.floor(random() * this.#items.length)];
  }

  values(): T[] {
    return [...this.#items];
  }
}

interface Org {
  data: Json;
  domains: Bag<Domain>;
  memberships: Bag<Membership>;
  connection?: Connection | undefined;
  directory?: Directory | undefined;
}
interface Domain { data: Json; org: Org }
interface User { data: Json; memberships: Map<Org, Membership> }
interface Membership { data: Json; org: Org; user: User }
interface Connection { data: Json; org: Org }
interface Directory { data: Json; org: Org; users: Bag<DirectoryUser>; groups: Bag<DirectoryGroup> }
interface DirectoryUser { data: Json; directory: Directory; groups: Set<DirectoryGroup> }
interface DirectoryGroup { data: Json; directory: Directory; members: Set<DirectoryUser> }

const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'Donald', 'Katherine', 'Guido'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Lamarr', 'Knuth', 'Johnson', 'van Rossum'];
const COMPANY = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Cyberdyne', 'Wonka', 'Stark', 'Wayne'];
const SUFFIX = ['Inc', 'Corp', 'Labs', 'Industries', 'Group', 'Systems'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'Design', 'Marketing', 'People Ops'];
const DIRECTORY_TYPES = ['okta scim v2.0', 'azure scim v2.0', 'gsuite directory', 'generic scim v2.0'];
const CONNECTION_TYPES = ['OktaSAML', 'AzureSAML', 'GoogleSAML', 'GenericSAML'];
const ROLES = ['member', 'member', 'member', 'admin', 'billing', 'viewer'];
const AGENTS = ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36'];

/**
 * A deterministic, realistic stream of WorkOS events: a small world of organizations (with
 * domains, memberships, a connection, a directory), users, directory users and groups evolves,
 * so updates and deletions refer to live objects created earlier, organization ids repeat, and
 * a deleted object is never updated or re-created (group memberships can be re-added).
 * Deleting a parent first deletes its children, one event each (organization: directory,
 * connection, memberships, domains; user: memberships; directory user or group: its group
 * memberships), except a directory's users and groups (see `legacyDirectoryDeletes`).
 */
export function createEventFactory(seed = 1, options: EventFactoryOptions = {}): EventFactory {
  const random = createPrng(seed);
  const ulid = createUlidGenerator(random);

  // The live world. Bags give O(1) picks and removals, so large backlogs stay linear.
  const orgs = new Bag<Org>();
  const users = new Bag<User>();
  const memberships = new Bag<Membership>();
  const domains = new Bag<Domain>();
  const pendingDomains = new Bag<Domain>();
  const orgsWithoutDirectory = new Bag<Org>();
  const orgsWithoutConnection = new Bag<Org>();
  const activeConnections = new Bag<Connection>();
  const inactiveConnections = new Bag<Connection>();
  const activeDirectories = new Bag<Directory>();
  const inactiveDirectories = new Bag<Directory>();
  /** Events still owed by a multi-event change (a cascade of deletions), emitted first. */
  const queue: (() => GeneratedEvent)[] = [];

  let clockMs = Date.parse('2026-01-15T10:00:00.000Z') - 1000;
  let nowIso = '';
  let serial = 0;

  const int = (n: number): number => Math.floor(random() * n);
  const chance = (p: number): boolean => random() < p;
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const id = (prefix: string): string => `${prefix}_${ulid(clockMs)}`;
  const hex = (length: number): string => Array.from({ length }, () => int(16).toString(16)).join('');
  const ip = (): string => `${pick([73, 88, 104, 172, 203])}.${int(256)}.${int(256)}.${1 + int(254)}`;
  const person = (): { first: string; last: string } => ({ first: pick(FIRST), last: pick(LAST) });
  const email = (first: string, last: string, domain: string): string =>
    `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + `${int(100)}@${domain}`;
  const stamps = (): Json => ({ created_at: nowIso, updated_at: nowIso });
  /** Marks a change: updated_at moves to now, and always forward. */
  const touch = (object: Json): Json => {
    const previous = Date.parse(String(object['updated_at']));
    const ms = Number.isNaN(previous) ? clockMs : Math.max(clockMs, previous + 1);
    object['updated_at'] = new Date(ms).toISOString();
    return object;
  };
  const orgIdOf = (org: Org): string => org.data['id'] as string;
  const emit = (type: string, org: Org | undefined, data: Json): GeneratedEvent =>
    org ? { type, data: structuredClone(data), organizationId: orgIdOf(org) } : { type, data: structuredClone(data) };
  /** Queues the events of a cascade and returns the first. */
  const cascade = (steps: (() => GeneratedEvent)[]): GeneratedEvent => {
    queue.unshift(...steps);
    return (queue.shift() as () => GeneratedEvent)();
  };

  // Organizations and their domains.

  function newDomain(org: Org, domain: string): Domain {
    const object = { data: { object: 'organization_domain', id: id('org_domain'), organization_id: orgIdOf(org), domain, state: 'pending', verification_strategy: 'dns', verification_token: hex(24), verification_prefix: 'workos-verification', ...stamps() }, org };
    org.domains.add(object);
    domains.add(object);
    pendingDomains.add(object);
    return object;
  }

  /** An organization carries its domains as whole OrganizationDomain objects, as the SDK types them. */
  const domainSummaries = (org: Org): Json[] => org.domains.values().map((d) => structuredClone(d.data));

  function organizationCreated(): GeneratedEvent {
    const company = pick(COMPANY);
    const suffix = pick(SUFFIX);
    const data: Json = {
      object: 'organization',
      id: id('org'),
      name: `${company} ${suffix}`,
      allow_profiles_outside_organization: false,
      domains: [],
      external_id: chance(0.5) ? null : `cust_${int(100_000)}`,
      metadata: { tier: pick(['free', 'team', 'enterprise']) },
      ...stamps(),
    };
    const org: Org = { data, domains: new Bag(), memberships: new Bag() };
    const domain = newDomain(org, `${company}-${suffix}${++serial}.com`.toLowerCase());
    data['domains'] = domainSummaries(org);
    orgs.add(org);
    orgsWithoutDirectory.add(org);
    orgsWithoutConnection.add(org);
    // WorkOS reports the domain given at creation as an object of its own right after.
    queue.unshift(() => emit('organization_domain.created', org, domain.data));
    return emit('organization.created', org, data);
  }

  function organizationUpdated(): GeneratedEvent {
    const org = orgs.pick(random);
    if (!org) return organizationCreated();
    org.data['metadata'] = { tier: pick(['team', 'enterprise']), seats: String(10 + int(990)) };
    if (chance(0.3)) org.data['name'] = `${pick(COMPANY)} ${pick(SUFFIX)}`;
    if (chance(0.2)) org.data['external_id'] = `cust_${int(100_000)}`;
    org.data['domains'] = domainSummaries(org);
    return emit('organization.updated', org, touch(org.data));
  }

  function organizationDeleted(): GeneratedEvent {
    if (orgs.size < 4) return organizationCreated();
    const org = orgs.pick(random) as Org;
    const steps: (() => GeneratedEvent)[] = [];
    if (org.directory) steps.push(...directoryDeletion(org.directory));
    if (org.connection) {
      const connection = org.connection;
      steps.push(() => deleteConnection(connection));
    }
    for (const membership of org.memberships.values()) steps.push(() => deleteMembership(membership));
    for (const domain of org.domains.values()) steps.push(() => deleteDomain(domain));
    steps.push(() => {
      orgs.delete(org);
      orgsWithoutDirectory.delete(org);
      orgsWithoutConnection.delete(org);
      return emit('organization.deleted', org, touch(org.data));
    });
    return cascade(steps);
  }

  function domainCreated(): GeneratedEvent {
    const org = orgs.pick(random);
    if (!org) return organizationCreated();
    const base = String(org.data['name']).toLowerCase().replace(/[^a-z]+/g, '-');
    const domain = newDomain(org, `${base}${++serial}.${pick(['io', 'net', 'co', 'dev'])}`);
    return emit('organization_domain.created', org, domain.data);
  }

  function domainUpdated(): GeneratedEvent {
    const domain = domains.pick(random);
    if (!domain) return organizationCreated();
    if (domain.data['state'] === 'pending') domain.data['verification_token'] = hex(24);
    domain.data['verification_strategy'] = domain.data['verification_strategy'] === 'dns' ? 'manual' : 'dns';
    return emit('organization_domain.updated', domain.org, touch(domain.data));
  }

  function domainVerification(outcome: 'verified' | 'failed'): GeneratedEvent {
    const domain = pendingDomains.pick(random);
    if (!domain) return domainCreated();
    pendingDomains.delete(domain);
    domain.data['state'] = outcome;
    if (outcome === 'verified') return emit('organization_domain.verified', domain.org, touch(domain.data));
    // WorkOS's shape for a failure: the domain wrapped with the reason.
    return emit('organization_domain.verification_failed', domain.org, { reason: 'domain_verification_period_expired', organization_domain: touch(domain.data) });
  }

  function deleteDomain(domain: Domain): GeneratedEvent {
    domain.org.domains.delete(domain);
    domains.delete(domain);
    pendingDomains.delete(domain);
    return emit('organization_domain.deleted', domain.org, touch(domain.data));
  }

  function domainDeleted(): GeneratedEvent {
    const domain = domains.pick(random);
    // An organization keeps at least one domain here (its users' addresses live there).
    if (!domain || domain.org.domains.size < 2) return domainCreated();
    return deleteDomain(domain);
  }

  // Users and organization memberships.

  function userCreated(): GeneratedEvent {
    const { first, last } = person();
    const org = orgs.pick(random);
    const domain = (org?.domains.pick(random)?.data['domain'] as string | undefined) ?? 'example.com';
    const data: Json = {
      object: 'user',
      id: id('user'),
      email: email(first, last, domain),
      email_verified: chance(0.8),
      first_name: first,
      last_name: last,
      name: `${first} ${last}`,
      profile_picture_url: null,
      last_sign_in_at: null,
      locale: null,
      external_id: null,
      metadata: {},
      ...stamps(),
    };
    users.add({ data, memberships: new Map() });
    return emit('user.created', undefined, data);
  }

  function userUpdated(): GeneratedEvent {
    const user = users.pick(random);
    if (!user) return userCreated();
    user.data['email_verified'] = true;
    user.data['last_sign_in_at'] = nowIso;
    if (chance(0.15)) {
      const last = pick(LAST);
      user.data['last_name'] = last;
      user.data['name'] = `${String(user.data['first_name'])} ${last}`;
    }
    if (chance(0.1)) user.data['external_id'] = `ext_${hex(8)}`;
    return emit('user.updated', undefined, touch(user.data));
  }

  function userDeleted(): GeneratedEvent {
    if (users.size < 5) return userCreated();
    const user = users.pick(random) as User;
    const steps = [...user.memberships.values()].map((membership) => () => deleteMembership(membership));
    steps.push(() => {
      users.delete(user);
      return emit('user.deleted', undefined, touch(user.data));
    });
    return cascade(steps);
  }

  function membershipCreated(): GeneratedEvent {
    const org = orgs.pick(random);
    if (!org) return organizationCreated();
    const user = users.pick(random);
    if (!user || user.memberships.has(org)) return userCreated();
    const data: Json = {
      object: 'organization_membership',
      id: id('om'),
      user_id: user.data['id'],
      organization_id: orgIdOf(org),
      organization_name: org.data['name'],
      status: chance(0.1) ? 'pending' : 'active',
      role: { slug: pick(ROLES) },
      directory_managed: false,
      custom_attributes: {},
      ...stamps(),
    };
    const membership: Membership = { data, org, user };
    user.memberships.set(org, membership);
    org.memberships.add(membership);
    memberships.add(membership);
    return emit('organization_membership.created', org, data);
  }

  function membershipUpdated(): GeneratedEvent {
    const membership = memberships.pick(random);
    if (!membership) return membershipCreated();
    const { data } = membership;
    if (data['status'] !== 'active' || chance(0.5)) data['status'] = data['status'] === 'active' ? 'inactive' : 'active';
    else data['role'] = { slug: pick(ROLES.filter((slug) => slug !== (data['role'] as Json)['slug'])) };
    return emit('organization_membership.updated', membership.org, touch(data));
  }

  function deleteMembership(membership: Membership): GeneratedEvent {
    memberships.delete(membership);
    membership.org.memberships.delete(membership);
    membership.user.memberships.delete(membership.org);
    return emit('organization_membership.deleted', membership.org, touch(membership.data));
  }

  function membershipDeleted(): GeneratedEvent {
    const membership = memberships.pick(random);
    if (!membership) return membershipCreated();
    return deleteMembership(membership);
  }

  // SSO connections.

  function connectionActivated(): GeneratedEvent {
    const dormant = inactiveConnections.pick(random);
    if (dormant && chance(0.5)) {
      inactiveConnections.delete(dormant);
      activeConnections.add(dormant);
      dormant.data['state'] = 'active';
      return emit('connection.activated', dormant.org, touch(dormant.data));
    }
    const org = orgsWithoutConnection.pick(random);
    if (!org) return organizationCreated();
    orgsWithoutConnection.delete(org);
    const connectionType = pick(CONNECTION_TYPES);
    const data: Json = {
      object: 'connection',
      id: id('conn'),
      organization_id: orgIdOf(org),
      connection_type: connectionType,
      name: `${org.data['name'] as string} ${connectionType.replace('SAML', '')} SAML`,
      state: 'active',
      status: 'linked',
      external_key: hex(16),
      domains: org.domains.values().map((d) => ({ object: 'connection_domain', id: id('conn_domain'), domain: d.data['domain'] })),
      ...stamps(),
    };
    const connection: Connection = { data, org };
    org.connection = connection;
    activeConnections.add(connection);
    return emit('connection.activated', org, data);
  }

  function connectionDeactivated(): GeneratedEvent {
    const connection = activeConnections.pick(random);
    if (!connection) return connectionActivated();
    activeConnections.delete(connection);
    inactiveConnections.add(connection);
    connection.data['state'] = 'inactive';
    return emit('connection.deactivated', connection.org, touch(connection.data));
  }

  function deleteConnection(connection: Connection): GeneratedEvent {
    activeConnections.delete(connection);
    inactiveConnections.delete(connection);
    connection.org.connection = undefined;
    if (orgs.has(connection.org)) orgsWithoutConnection.add(connection.org);
    return emit('connection.deleted', connection.org, touch(connection.data));
  }

  function connectionDeleted(): GeneratedEvent {
    const connection = inactiveConnections.pick(random) ?? activeConnections.pick(random);
    if (!connection) return connectionActivated();
    return deleteConnection(connection);
  }

  // Directories, directory users and groups.

  function dsyncActivated(): GeneratedEvent {
    const dormant = inactiveDirectories.pick(random);
    if (dormant && chance(0.5)) {
      inactiveDirectories.delete(dormant);
      activeDirectories.add(dormant);
      dormant.data['state'] = 'active';
      return emit('dsync.activated', dormant.org, touch(dormant.data));
    }
    const org = orgsWithoutDirectory.pick(random);
    if (!org) return organizationCreated();
    orgsWithoutDirectory.delete(org);
    const type = pick(DIRECTORY_TYPES);
    const data: Json = {
      object: 'directory',
      id: id('directory'),
      external_key: hex(16),
      type,
      state: 'active',
      name: `${org.data['name'] as string} ${type.split(' ')[0] ?? type}`,
      organization_id: orgIdOf(org),
      domains: org.domains.values().map((d) => ({ object: 'organization_domain', id: d.data['id'], domain: d.data['domain'] })),
      ...stamps(),
    };
    const directory: Directory = { data, org, users: new Bag(), groups: new Bag() };
    org.directory = directory;
    activeDirectories.add(directory);
    return emit('dsync.activated', org, data);
  }

  function dsyncDeactivated(): GeneratedEvent {
    const directory = activeDirectories.pick(random);
    if (!directory) return dsyncActivated();
    activeDirectories.delete(directory);
    inactiveDirectories.add(directory);
    directory.data['state'] = 'inactive';
    return emit('dsync.deactivated', directory.org, touch(directory.data));
  }

  /** The events deleting a directory: a sole dsync.deleted, or the legacy cascade first. */
  function directoryDeletion(directory: Directory): (() => GeneratedEvent)[] {
    const steps: (() => GeneratedEvent)[] = [];
    if (options.legacyDirectoryDeletes) {
      for (const group of directory.groups.values()) steps.push(...groupDeletion(group));
      for (const user of directory.users.values()) steps.push(() => deleteDirectoryUser(user));
    }
    steps.push(() => {
      for (const group of directory.groups.values()) group.members.clear();
      for (const user of directory.users.values()) user.groups.clear();
      activeDirectories.delete(directory);
      inactiveDirectories.delete(directory);
      directory.org.directory = undefined;
      if (orgs.has(directory.org)) orgsWithoutDirectory.add(directory.org);
      directory.data['state'] = 'deleting'; // WorkOS's sample payload; no domains nor external_key, as the SDK types it.
      const { domains: _domains, external_key: _key, ...deleted } = touch(directory.data);
      return emit('dsync.deleted', directory.org, deleted);
    });
    return steps;
  }

  function dsyncDeleted(): GeneratedEvent {
    const directory = inactiveDirectories.pick(random) ?? activeDirectories.pick(random);
    if (!directory) return dsyncActivated();
    return cascade(directoryDeletion(directory));
  }

  function activeDirectory(): Directory | undefined {
    return activeDirectories.pick(random);
  }

  function dsyncUserCreated(): GeneratedEvent {
    const directory = activeDirectory();
    if (!directory) return dsyncActivated();
    const { org } = directory;
    const { first, last } = person();
    const domain = (org.domains.pick(random)?.data['domain'] as string | undefined) ?? 'example.com';
    const address = email(first, last, domain);
    const department = pick(DEPARTMENTS);
    // WorkOS still sends the deprecated emails[]; the primary is not always first.
    const emails: Json[] = [{ primary: true, type: 'work', value: address }];
    if (chance(0.2)) emails.unshift({ primary: false, type: 'home', value: email(first, last, 'example.net') });
    const data: Json = {
      object: 'directory_user',
      id: id('directory_user'),
      idp_id: hex(20),
      directory_id: directory.data['id'],
      organization_id: orgIdOf(org),
      first_name: first,
      last_name: last,
      email: address,
      emails,
      username: address,
      state: 'active',
      role: { slug: 'member' },
      raw_attributes: { userName: address, name: { givenName: first, familyName: last }, active: true, department },
      custom_attributes: { department },
      ...stamps(),
    };
    directory.users.add({ data, directory, groups: new Set() });
    return emit('dsync.user.created', org, data);
  }

  function dsyncUserUpdated(): GeneratedEvent {
    const directory = activeDirectory();
    const user = directory?.users.pick(random);
    if (!directory || !user) return dsyncUserCreated();
    const previous = { custom_attributes: structuredClone(user.data['custom_attributes']) };
    user.data['custom_attributes'] = { department: pick(DEPARTMENTS), job_title: pick(['Engineer', 'Manager', 'Analyst', 'Director']) };
    if (chance(0.1)) user.data['state'] = user.data['state'] === 'active' ? 'inactive' : 'active';
    // The event carries what changed, as WorkOS's dsync.user.updated does.
    return emit('dsync.user.updated', directory.org, { ...touch(user.data), previous_attributes: previous });
  }

  function deleteDirectoryUser(user: DirectoryUser): GeneratedEvent {
    user.directory.users.delete(user);
    user.data['state'] = 'inactive';
    return emit('dsync.user.deleted', user.directory.org, touch(user.data));
  }

  function dsyncUserDeleted(): GeneratedEvent {
    const directory = activeDirectory();
    const user = directory?.users.pick(random);
    if (!directory || !user || directory.users.size < 3) return dsyncUserCreated();
    const steps = [...user.groups].map((group) => () => removeMember(group, user));
    steps.push(() => deleteDirectoryUser(user));
    return cascade(steps);
  }

  function dsyncGroupCreated(): GeneratedEvent {
    const directory = activeDirectory();
    if (!directory) return dsyncActivated();
    const name = `${pick(DEPARTMENTS)}${chance(0.3) ? ` ${pick(['EMEA', 'US', 'APAC'])}` : ''}`;
    const data: Json = {
      object: 'directory_group',
      id: id('directory_group'),
      idp_id: hex(20),
      directory_id: directory.data['id'],
      organization_id: orgIdOf(directory.org),
      name,
      raw_attributes: { displayName: name },
      ...stamps(),
    };
    directory.groups.add({ data, directory, members: new Set() });
    return emit('dsync.group.created', directory.org, data);
  }

  function dsyncGroupUpdated(): GeneratedEvent {
    const directory = activeDirectory();
    const group = directory?.groups.pick(random);
    if (!directory || !group) return dsyncGroupCreated();
    const previous = { name: group.data['name'] };
    const name = `${pick(DEPARTMENTS)} ${pick(['Team', 'Admins', 'All', 'Leads'])}`;
    group.data['name'] = name;
    group.data['raw_attributes'] = { displayName: name };
    return emit('dsync.group.updated', directory.org, { ...touch(group.data), previous_attributes: previous });
  }

  function groupDeletion(group: DirectoryGroup): (() => GeneratedEvent)[] {
    const steps = [...group.members].map((user) => () => removeMember(group, user));
    steps.push(() => {
      group.directory.groups.delete(group);
      return emit('dsync.group.deleted', group.directory.org, touch(group.data));
    });
    return steps;
  }

  function dsyncGroupDeleted(): GeneratedEvent {
    const directory = activeDirectory();
    const group = directory?.groups.pick(random);
    if (!directory || !group || directory.groups.size < 2) return dsyncGroupCreated();
    return cascade(groupDeletion(group));
  }

  /** WorkOS's shape: the directory, then the user and the group as they are now. */
  const membershipData = (group: DirectoryGroup, user: DirectoryUser): Json => ({
    directory_id: group.directory.data['id'],
    user: user.data,
    group: group.data,
  });

  function removeMember(group: DirectoryGroup, user: DirectoryUser): GeneratedEvent {
    group.members.delete(user);
    user.groups.delete(group);
    return emit('dsync.group.user_removed', group.directory.org, membershipData(group, user));
  }

  function dsyncGroupUserAdded(): GeneratedEvent {
    const directory = activeDirectory();
    if (!directory) return dsyncActivated();
    const group = directory.groups.pick(random);
    if (!group) return dsyncGroupCreated();
    for (let attempt = 0; attempt < 3; attempt++) {
      const user = directory.users.pick(random);
      if (!user) return dsyncUserCreated();
      if (group.members.has(user)) continue;
      group.members.add(user);
      user.groups.add(group);
      return emit('dsync.group.user_added', directory.org, membershipData(group, user));
    }
    return dsyncUserCreated();
  }

  function dsyncGroupUserRemoved(): GeneratedEvent {
    const directory = activeDirectory();
    const group = directory?.groups.pick(random);
    if (!group || group.members.size === 0) return dsyncGroupUserAdded();
    return removeMember(group, pick([...group.members]));
  }

  // Events the mirror does not keep.

  function ssoSucceeded(): GeneratedEvent {
    const connection = activeConnections.pick(random);
    const user = users.pick(random);
    if (!connection) return connectionActivated();
    if (!user) return userCreated();
    // Authentication events carry no object id of their own: a realistic awkward shape.
    const data: Json = {
      type: 'sso',
      status: 'succeeded',
      ip_address: ip(),
      user_agent: pick(AGENTS),
      user_id: user.data['id'],
      email: user.data['email'],
      sso: { organization_id: orgIdOf(connection.org), connection_id: connection.data['id'], session_id: id('session') },
    };
    return emit('authentication.sso_succeeded', connection.org, data);
  }

  function sessionCreated(): GeneratedEvent {
    const user = users.pick(random);
    if (!user) return userCreated();
    const [membership] = user.memberships.values();
    const data: Json = {
      object: 'session',
      id: id('session'),
      user_id: user.data['id'],
      ...(membership ? { organization_id: orgIdOf(membership.org) } : {}),
      ip_address: ip(),
      user_agent: pick(AGENTS),
      auth_method: pick(['password', 'sso', 'oauth', 'magic_code', 'passkey']),
      status: 'active',
      expires_at: new Date(clockMs + 7 * 86_400_000).toISOString(),
      ended_at: null,
      ...stamps(),
    };
    return emit('session.created', membership?.org, data);
  }

  function futureEvent(): GeneratedEvent {
    const type = pick(FUTURE_EVENT_TYPES);
    const org = orgs.pick(random);
    const object = type.split('.').slice(0, -1).join('_');
    const data: Json = {
      object,
      id: id(object),
      ...(org ? { organization_id: orgIdOf(org) } : {}),
      status: 'approved',
      new_field_from_the_future: { nested: [1, 2, 3], flag: true },
      ...stamps(),
    };
    return emit(type, org, data);
  }

  // Weights (relative). `mixed`: directory sync and user management dominate real traffic.
  const mixed: [number, () => GeneratedEvent][] = [
    [4, organizationCreated], [3, organizationUpdated], [0.3, organizationDeleted],
    [1, domainCreated], [0.5, domainUpdated], [2, () => domainVerification('verified')],
    [0.5, () => domainVerification('failed')], [0.5, domainDeleted],
    [11, userCreated], [7, userUpdated], [2, userDeleted],
    [7, membershipCreated], [2, membershipUpdated], [1, membershipDeleted],
    [2, connectionActivated], [0.5, connectionDeactivated], [0.3, connectionDeleted],
    [2, dsyncActivated], [0.5, dsyncDeactivated], [0.2, dsyncDeleted],
    [13, dsyncUserCreated], [9, dsyncUserUpdated], [3, dsyncUserDeleted],
    [3.5, dsyncGroupCreated], [1, dsyncGroupUpdated], [0.5, dsyncGroupDeleted],
    [7, dsyncGroupUserAdded], [2, dsyncGroupUserRemoved],
    [6, ssoSucceeded], [8, sessionCreated], [2.2, futureEvent],
  ];
  // `lifecycle`: every kind created, changed and deleted often.
  const lifecycle: [number, () => GeneratedEvent][] = [
    [4, organizationCreated], [4, organizationUpdated], [0.6, organizationDeleted],
    [2, domainCreated], [2, domainUpdated], [2, () => domainVerification('verified')],
    [1, () => domainVerification('failed')], [1.5, domainDeleted],
    [8, userCreated], [6, userUpdated], [3, userDeleted],
    [7, membershipCreated], [4, membershipUpdated], [2.5, membershipDeleted],
    [2, connectionActivated], [1.5, connectionDeactivated], [0.8, connectionDeleted],
    [2, dsyncActivated], [1.2, dsyncDeactivated], [0.4, dsyncDeleted],
    [9, dsyncUserCreated], [7, dsyncUserUpdated], [3, dsyncUserDeleted],
    [3, dsyncGroupCreated], [2, dsyncGroupUpdated], [1, dsyncGroupDeleted],
    [6, dsyncGroupUserAdded], [4, dsyncGroupUserRemoved],
    [1.5, ssoSucceeded], [2.5, sessionCreated], [1, futureEvent],
  ];
  const mix = options.profile === 'lifecycle' ? lifecycle : mixed;
  const total = mix.reduce((sum, [weight]) => sum + weight, 0);

  return {
    next(at?: Date): GeneratedEvent {
      clockMs = at ? at.getTime() : clockMs + 1000;
      nowIso = new Date(clockMs).toISOString();
      const owed = queue.shift();
      if (owed) return owed();
      let roll = random() * total;
      for (const [weight, generate] of mix) {
        roll -= weight;
        if (roll < 0) return generate();
      }
      return userCreated();
    },
  };
}
