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
   * The next event of the mix. `at` stamps the object's created_at/updated_at (pass the event's
   * created_at); default: an internal clock from 2026-01-15T10:00:00Z, one second per event.
   */
  next(at?: Date): GeneratedEvent;
}

/** Types in the mix that are not in WorkOS's catalog: consumers must pass them through. */
export const FUTURE_EVENT_TYPES: readonly string[] = ['widget.frobnicated', 'agent.registration.approved', 'billing.invoice.finalized'];

type Json = Record<string, unknown>;
interface Org { data: Json; domains: Json[]; directory?: Json; connection?: Json; users: Json[]; groups: Json[] }
interface User { data: Json; membership?: Json; deleted?: boolean }

const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'Donald', 'Katherine', 'Guido'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Lamarr', 'Knuth', 'Johnson', 'van Rossum'];
const COMPANY = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Cyberdyne', 'Wonka', 'Stark', 'Wayne'];
const SUFFIX = ['Inc', 'Corp', 'Labs', 'Industries', 'Group', 'Systems'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'Design', 'Marketing', 'People Ops'];
const DIRECTORY_TYPES = ['okta scim v2.0', 'azure scim v2.0', 'gsuite directory', 'generic scim v2.0'];
const CONNECTION_TYPES = ['OktaSAML', 'AzureSAML', 'GoogleSAML', 'GenericSAML'];
const AGENTS = ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36'];

/**
 * A deterministic, realistic stream of WorkOS events: a small world of organizations, users,
 * directories and connections evolves, so updates and deletions refer to objects created
 * earlier and organization ids repeat (per-organization ordering can be tested).
 */
export function createEventFactory(seed = 1): EventFactory {
  const random = createPrng(seed);
  const ulid = createUlidGenerator(random);
  const orgs: Org[] = [];
  const users: User[] = [];
  // Work lists instead of scans, so generating a large backlog stays linear.
  const pendingDomains: { org: Org; domain: Json }[] = [];
  const orgsWithoutDirectory: Org[] = [];
  const orgsWithDirectory: Org[] = [];
  const orgsWithoutConnection: Org[] = [];
  const orgsWithConnection: Org[] = [];
  const usersWithoutMembership: User[] = [];
  let clockMs = Date.parse('2026-01-15T10:00:00.000Z') - 1000;
  let nowIso = '';
  let serial = 0;

  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const pickOrNone = <T>(items: readonly T[]): T | undefined => (items.length > 0 ? pick(items) : undefined);
  const take = <T>(items: T[]): T | undefined => {
    if (items.length === 0) return undefined;
    const index = int(items.length);
    const item = items[index] as T;
    items[index] = items[items.length - 1] as T;
    items.pop();
    return item;
  };
  const id = (prefix: string): string => `${prefix}_${ulid(clockMs)}`;
  const hex = (length: number): string => Array.from({ length }, () => int(16).toString(16)).join('');
  const ip = (): string => `${pick([73, 88, 104, 172, 203])}.${int(256)}.${int(256)}.${1 + int(254)}`;
  const touch = (object: Json): Json => Object.assign(object, { updated_at: nowIso });
  const person = (): { first: string; last: string } => ({ first: pick(FIRST), last: pick(LAST) });
  const email = (first: string, last: string, domain: string): string =>
    `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + `${int(100)}@${domain}`;
  const orgEvent = (type: string, org: Org, data: Json): GeneratedEvent => ({ type, data, organizationId: org.data['id'] as string });

  function organizationCreated(): GeneratedEvent {
    const company = pick(COMPANY);
    const suffix = pick(SUFFIX);
    const domain = `${company}-${suffix}${++serial}.com`.toLowerCase();
    const orgId = id('org');
    const domainObject = { object: 'organization_domain', id: id('org_domain'), domain, organization_id: orgId, state: 'pending', verification_strategy: 'dns', verification_token: hex(24), created_at: nowIso, updated_at: nowIso };
    const data: Json = {
      object: 'organization',
      id: orgId,
      name: `${company} ${suffix}`,
      allow_profiles_outside_organization: false,
      domains: [domainObject],
      external_id: random() < 0.5 ? null : `cust_${int(100_000)}`,
      metadata: { tier: pick(['free', 'team', 'enterprise']) },
      created_at: nowIso,
      updated_at: nowIso,
    };
    const org: Org = { data, domains: [domainObject], users: [], groups: [] };
    orgs.push(org);
    orgsWithoutDirectory.push(org);
    orgsWithoutConnection.push(org);
    pendingDomains.push({ org, domain: domainObject });
    return { type: 'organization.created', data: structuredClone(data), organizationId: orgId };
  }

  function organizationUpdated(): GeneratedEvent {
    const org = pickOrNone(orgs);
    if (!org) return organizationCreated();
    org.data['metadata'] = { tier: pick(['team', 'enterprise']), seats: String(10 + int(990)) };
    if (random() < 0.3) org.data['name'] = `${pick(COMPANY)} ${pick(SUFFIX)}`;
    return orgEvent('organization.updated', org, structuredClone(touch(org.data)));
  }

  function domainVerified(): GeneratedEvent {
    const pending = take(pendingDomains);
    if (!pending) return organizationCreated();
    const { org, domain } = pending;
    domain['state'] = 'verified';
    org.data['domains'] = structuredClone(org.domains);
    return orgEvent('organization_domain.verified', org, structuredClone(touch(domain)));
  }

  function userCreated(): GeneratedEvent {
    const { first, last } = person();
    const org = pickOrNone(orgs);
    const domain = (org?.domains[0]?.['domain'] as string | undefined) ?? 'example.com';
    const data: Json = {
      object: 'user',
      id: id('user'),
      email: email(first, last, domain),
      email_verified: random() < 0.8,
      first_name: first,
      last_name: last,
      name: `${first} ${last}`,
      profile_picture_url: null,
      last_sign_in_at: null,
      locale: null,
      external_id: null,
      metadata: {},
      created_at: nowIso,
      updated_at: nowIso,
    };
    const user: User = { data };
    users.push(user);
    usersWithoutMembership.push(user);
    return { type: 'user.created', data: structuredClone(data) };
  }

  function userUpdated(): GeneratedEvent {
    const user = pickOrNone(users);
    if (!user) return userCreated();
    user.data['email_verified'] = true;
    user.data['last_sign_in_at'] = nowIso;
    return { type: 'user.updated', data: structuredClone(touch(user.data)) };
  }

  function userDeleted(): GeneratedEvent {
    if (users.length < 5) return userCreated();
    const [user] = users.splice(int(users.length), 1) as [User];
    user.deleted = true;
    return { type: 'user.deleted', data: structuredClone(touch(user.data)) };
  }

  function membershipCreated(): GeneratedEvent {
    const org = pickOrNone(orgs);
    if (!org) return organizationCreated();
    let user = take(usersWithoutMembership);
    while (user?.deleted) user = take(usersWithoutMembership);
    if (!user) return userCreated();
    const data: Json = {
      object: 'organization_membership',
      id: id('om'),
      user_id: user.data['id'],
      organization_id: org.data['id'],
      organization_name: org.data['name'],
      status: 'active',
      role: { slug: random() < 0.15 ? 'admin' : 'member' },
      directory_managed: false,
      custom_attributes: {},
      created_at: nowIso,
      updated_at: nowIso,
    };
    user.membership = data;
    return orgEvent('organization_membership.created', org, structuredClone(data));
  }

  function dsyncActivated(): GeneratedEvent {
    const org = take(orgsWithoutDirectory);
    if (!org) return organizationCreated();
    orgsWithDirectory.push(org);
    const type = pick(DIRECTORY_TYPES);
    org.directory = {
      object: 'directory',
      id: id('directory'),
      external_key: hex(16),
      type,
      state: 'active',
      name: `${org.data['name'] as string} ${type.split(' ')[0] ?? type}`,
      organization_id: org.data['id'],
      domains: org.domains.map((d) => ({ object: 'organization_domain', id: d['id'], domain: d['domain'] })),
      created_at: nowIso,
      updated_at: nowIso,
    };
    return orgEvent('dsync.activated', org, structuredClone(org.directory));
  }

  const withDirectory = (): Org | undefined => pickOrNone(orgsWithDirectory);

  function dsyncUserCreated(): GeneratedEvent {
    const org = withDirectory();
    if (!org?.directory) return dsyncActivated();
    const { first, last } = person();
    const address = email(first, last, org.domains[0]?.['domain'] as string);
    const department = pick(DEPARTMENTS);
    const data: Json = {
      object: 'directory_user',
      id: id('directory_user'),
      idp_id: hex(20),
      directory_id: org.directory['id'],
      organization_id: org.data['id'],
      first_name: first,
      last_name: last,
      email: address,
      state: 'active',
      role: { slug: 'member' },
      raw_attributes: { userName: address, name: { givenName: first, familyName: last }, active: true, department },
      custom_attributes: { department },
      created_at: nowIso,
      updated_at: nowIso,
    };
    org.users.push(data);
    return orgEvent('dsync.user.created', org, structuredClone(data));
  }

  function dsyncUserUpdated(): GeneratedEvent {
    const org = withDirectory();
    const user = org && org.users.length > 0 ? pick(org.users) : undefined;
    if (!org || !user) return dsyncUserCreated();
    const previous = { custom_attributes: structuredClone(user['custom_attributes']) };
    user['custom_attributes'] = { department: pick(DEPARTMENTS), job_title: pick(['Engineer', 'Manager', 'Analyst', 'Director']) };
    return orgEvent('dsync.user.updated', org, { ...structuredClone(touch(user)), previous_attributes: previous });
  }

  function dsyncUserDeleted(): GeneratedEvent {
    const org = withDirectory();
    if (!org || org.users.length < 3) return dsyncUserCreated();
    const [user] = org.users.splice(int(org.users.length), 1) as [Json];
    user['state'] = 'inactive';
    return orgEvent('dsync.user.deleted', org, structuredClone(touch(user)));
  }

  function dsyncGroupCreated(): GeneratedEvent {
    const org = withDirectory();
    if (!org?.directory) return dsyncActivated();
    const name = pick(DEPARTMENTS);
    const data: Json = {
      object: 'directory_group',
      id: id('directory_group'),
      idp_id: hex(20),
      directory_id: org.directory['id'],
      organization_id: org.data['id'],
      name,
      raw_attributes: { displayName: name },
      created_at: nowIso,
      updated_at: nowIso,
    };
    org.groups.push(data);
    return orgEvent('dsync.group.created', org, structuredClone(data));
  }

  function dsyncGroupUserAdded(): GeneratedEvent {
    const org = withDirectory();
    if (!org?.directory) return dsyncActivated();
    if (org.groups.length === 0) return dsyncGroupCreated();
    if (org.users.length === 0) return dsyncUserCreated();
    const data = { directory_id: org.directory['id'], user: structuredClone(pick(org.users)), group: structuredClone(pick(org.groups)) };
    return orgEvent('dsync.group.user_added', org, data);
  }

  function connectionActivated(): GeneratedEvent {
    const org = take(orgsWithoutConnection);
    if (!org) return organizationCreated();
    orgsWithConnection.push(org);
    const connectionType = pick(CONNECTION_TYPES);
    org.connection = {
      object: 'connection',
      id: id('conn'),
      organization_id: org.data['id'],
      connection_type: connectionType,
      name: `${org.data['name'] as string} ${connectionType.replace('SAML', '')} SAML`,
      state: 'active',
      status: 'linked',
      external_key: hex(16),
      domains: org.domains.map((d) => ({ object: 'connection_domain', id: id('conn_domain'), domain: d['domain'] })),
      created_at: nowIso,
      updated_at: nowIso,
    };
    return orgEvent('connection.activated', org, structuredClone(org.connection));
  }

  function ssoSucceeded(): GeneratedEvent {
    const org = pickOrNone(orgsWithConnection);
    const user = pickOrNone(users);
    if (!org?.connection) return connectionActivated();
    if (!user) return userCreated();
    // Authentication events carry no object id of their own: a realistic awkward shape.
    const data: Json = {
      type: 'sso',
      status: 'succeeded',
      ip_address: ip(),
      user_agent: pick(AGENTS),
      user_id: user.data['id'],
      email: user.data['email'],
      sso: { organization_id: org.data['id'], connection_id: org.connection['id'], session_id: id('session') },
    };
    return orgEvent('authentication.sso_succeeded', org, data);
  }

  function sessionCreated(): GeneratedEvent {
    const user = pickOrNone(users);
    if (!user) return userCreated();
    const organizationId = user.membership?.['organization_id'] as string | undefined;
    const data: Json = {
      object: 'session',
      id: id('session'),
      user_id: user.data['id'],
      ...(organizationId ? { organization_id: organizationId } : {}),
      ip_address: ip(),
      user_agent: pick(AGENTS),
      auth_method: pick(['password', 'sso', 'oauth', 'magic_code', 'passkey']),
      status: 'active',
      expires_at: new Date(clockMs + 7 * 86_400_000).toISOString(),
      ended_at: null,
      created_at: nowIso,
      updated_at: nowIso,
    };
    return { type: 'session.created', data, ...(organizationId ? { organizationId } : {}) };
  }

  function futureEvent(): GeneratedEvent {
    const type = pick(FUTURE_EVENT_TYPES);
    const org = pickOrNone(orgs);
    const object = type.split('.').slice(0, -1).join('_');
    const data: Json = {
      object,
      id: id(object),
      ...(org ? { organization_id: org.data['id'] } : {}),
      status: 'approved',
      new_field_from_the_future: { nested: [1, 2, 3], flag: true },
      created_at: nowIso,
      updated_at: nowIso,
    };
    return { type, data, ...(org ? { organizationId: org.data['id'] as string } : {}) };
  }

  // Weights in percent: directory sync and user management dominate real traffic.
  const mix: [number, () => GeneratedEvent][] = [
    [4, organizationCreated], [4, organizationUpdated], [3, domainVerified],
    [12, userCreated], [8, userUpdated], [2, userDeleted], [8, membershipCreated],
    [2, dsyncActivated], [14, dsyncUserCreated], [10, dsyncUserUpdated], [3, dsyncUserDeleted],
    [4, dsyncGroupCreated], [8, dsyncGroupUserAdded], [2, connectionActivated],
    [6, ssoSucceeded], [8, sessionCreated], [2, futureEvent],
  ];
  const total = mix.reduce((sum, [weight]) => sum + weight, 0);

  return {
    next(at?: Date): GeneratedEvent {
      clockMs = at ? at.getTime() : clockMs + 1000;
      nowIso = new Date(clockMs).toISOString();
      let roll = random() * total;
      for (const [weight, generate] of mix) {
        roll -= weight;
        if (roll < 0) return generate();
      }
      return userCreated();
    },
  };
}
