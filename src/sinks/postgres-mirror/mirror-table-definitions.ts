/**
 * A WorkOS object as the events' `data` and the state APIs carry it: snake_case JSON, every
 * field kept. For `directory_group_memberships` it is the event data `{ directory_id, user, group }`.
 */
export type WorkOSObject = Readonly<Record<string, unknown>>;

/** The tables of the mirror, one per kind of WorkOS object. */
export type MirrorTableName =
  | 'organizations'
  | 'organization_domains'
  | 'users'
  | 'organization_memberships'
  | 'connections'
  | 'directories'
  | 'directory_users'
  | 'directory_groups'
  | 'directory_group_memberships';

/** A value of a queried column: text, a boolean (`users.email_verified`), or null when the object lacks it. */
export type MirrorColumnValue = string | boolean | null;

/** A column people query, read from the object (null when the object lacks it). */
export interface MirrorColumn {
  readonly name: string;
  readonly type: 'text' | 'boolean';
  readonly from: (object: WorkOSObject) => MirrorColumnValue;
  /**
   * The object's top-level fields the value is read from. A delete whose data has none of them
   * keeps the column's previous value; one that has any of them sets it, to null if need be
   * (a delete's data is the object's final state, so its nulls are values).
   */
  readonly keys: readonly string[];
}

/**
 * A parent whose deletion deletes this row too: WorkOS sends a sole `dsync.deleted` for a
 * directory ("the users and groups in that directory have been deleted"), and a deleted
 * directory user or group leaves no group memberships behind.
 */
export interface MirrorParent {
  readonly table: MirrorTableName;
  /** This table's column holding the parent's id. */
  readonly column: string;
}

export interface MirrorTable {
  readonly name: MirrorTableName;
  /** The table's own columns, in table order (the common ones are MIRROR_COMMON_COLUMNS). */
  readonly columns: readonly MirrorColumn[];
  /** The row id: the WorkOS id, or `${group.id}:${user.id}` for a group membership. */
  readonly idOf: (object: WorkOSObject) => string | undefined;
  /**
   * False when the object has no `updated_at` of its own: a group membership's nested user and
   * group carry theirs, which say nothing about the membership, so its version is the event's
   * created_at (or the time of a reconcile fix).
   */
  readonly ownVersion: boolean;
  /** Parents whose deletion this row follows (empty for most tables). */
  readonly parents: readonly MirrorParent[];
}

/** Columns every table has, in table order after the table's own. */
export const MIRROR_COMMON_COLUMNS = [
  'id', 'raw', 'created_at', 'updated_at', 'deleted_at', 'last_event_id', 'last_event_at', 'changed_by', 'synced_at',
] as const;

function field(object: unknown, path: readonly string[]): unknown {
  let value: unknown = object;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Strings as they are, numbers as text; anything else (objects, arrays) is not a column value. */
function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

const text = (name: string, ...path: string[]): MirrorColumn =>
  ({ name, type: 'text', from: (o) => asText(field(o, path.length > 0 ? path : [name])), keys: [path[0] ?? name] });

const bool = (name: string): MirrorColumn =>
  ({ name, type: 'boolean', from: (o) => (typeof o[name] === 'boolean' ? (o[name] as boolean) : null), keys: [name] });

const derived = (name: string, keys: readonly string[], from: (o: WorkOSObject) => MirrorColumnValue): MirrorColumn => ({ name, type: 'text', from, keys });

const ownId = (o: WorkOSObject): string | undefined => (typeof o['id'] === 'string' && o['id'] !== '' ? o['id'] : undefined);

/** The primary address of `emails[]` (the older directory user shape), else `email`. */
function directoryUserEmail(o: WorkOSObject): string | null {
  const emails = o['emails'];
  if (Array.isArray(emails)) {
    const primary = emails.find((e) => field(e, ['primary']) === true);
    const value = asText(field(primary, ['value']));
    if (value !== null) return value;
  }
  return asText(o['email']);
}

/** `domain`; the factory's and some API versions' directories list `domains[]` instead. */
function directoryDomain(o: WorkOSObject): string | null {
  const own = asText(o['domain']);
  if (own !== null) return own;
  const domains = o['domains'];
  return Array.isArray(domains) ? asText(field(domains[0], ['domain'])) : null;
}

/**
 * A directory's state as the events spell it: the directories API says `linked` and `unlinked`
 * where the events say `active` and `inactive` (the SDK's deserializeDirectoryState maps them
 * the same way), so a row written by `reconcile --fix` reads like one written by an event.
 */
function directoryState(o: WorkOSObject): string | null {
  const state = asText(o['state']);
  return state === 'linked' ? 'active' : state === 'unlinked' ? 'inactive' : state;
}

function membershipId(o: WorkOSObject): string | undefined {
  const group = asText(field(o, ['group', 'id']));
  const user = asText(field(o, ['user', 'id']));
  return group && user ? `${group}:${user}` : undefined;
}

/**
 * Every table of the mirror, in the order a page writes them: a fixed order, so two writers
 * never lock rows of two tables in opposite orders, and parents before their children, so a
 * child written in the same page sees its parent's tombstone. The SQL that creates them lives in the
 * migrations, which never change once shipped; a test checks that both agree.
 */
export const MIRROR_TABLES: readonly MirrorTable[] = [
  { name: 'organizations', idOf: ownId, ownVersion: true, parents: [], columns: [text('name'), text('external_id')] },
  {
    name: 'organization_domains', idOf: ownId, ownVersion: true, parents: [],
    columns: [text('organization_id'), text('domain'), text('state'), text('verification_strategy')],
  },
  {
    name: 'users', idOf: ownId, ownVersion: true, parents: [],
    columns: [text('email'), text('first_name'), text('last_name'), bool('email_verified'), text('external_id')],
  },
  {
    name: 'organization_memberships', idOf: ownId, ownVersion: true, parents: [],
    columns: [text('organization_id'), text('user_id'), text('role_slug', 'role', 'slug'), text('status')],
  },
  {
    name: 'connections', idOf: ownId, ownVersion: true, parents: [],
    columns: [text('organization_id'), text('connection_type'), text('name'), text('state')],
  },
  {
    name: 'directories', idOf: ownId, ownVersion: true, parents: [],
    columns: [text('organization_id'), text('type'), text('name'), derived('state', ['state'], directoryState), derived('domain', ['domain', 'domains'], directoryDomain)],
  },
  {
    name: 'directory_users', idOf: ownId, ownVersion: true, parents: [{ table: 'directories', column: 'directory_id' }],
    columns: [
      text('directory_id'), text('organization_id'), text('idp_id'), derived('email', ['emails', 'email'], directoryUserEmail),
      text('first_name'), text('last_name'), text('state'),
    ],
  },
  {
    name: 'directory_groups', idOf: ownId, ownVersion: true, parents: [{ table: 'directories', column: 'directory_id' }],
    columns: [text('directory_id'), text('organization_id'), text('idp_id'), text('name')],
  },
  {
    name: 'directory_group_memberships', idOf: membershipId, ownVersion: false,
    parents: [
      { table: 'directories', column: 'directory_id' },
      { table: 'directory_users', column: 'directory_user_id' },
      { table: 'directory_groups', column: 'directory_group_id' },
    ],
    columns: [
      derived('directory_id', ['directory_id', 'group'], (o) => asText(o['directory_id']) ?? asText(field(o, ['group', 'directory_id']))),
      text('directory_group_id', 'group', 'id'), text('directory_user_id', 'user', 'id'),
    ],
  },
];

/** The definition of a table by name; throws for a name that is not a mirror table. */
export function mirrorTable(name: string): MirrorTable {
  const table = MIRROR_TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`${JSON.stringify(name)} is not a table of the mirror (expected one of ${MIRROR_TABLES.map((t) => t.name).join(', ')})`);
  return table;
}
