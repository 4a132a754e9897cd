/**
 * The WorkOS objects the fake's events describe, derived from those events (never stored
 * separately), so the state APIs and GET /events can never disagree. Pure: no I/O, no clock.
 *
 * Events are applied one by one, in log order, as they are added (state is incremental: backlogs
 * reach 100k+ events). The routing follows .scratch/mirror-spec.md ("Routing"):
 * create/update/activate/deactivate/verify events upsert the event's `data`, `*.deleted` and
 * `dsync.group.user_removed` remove it. One addition the spec's table lacks, from WorkOS's docs:
 * "When a directory is deleted in WorkOS, a sole dsync.deleted webhook event is sent ... it
 * indicates that the users and groups in that directory have been deleted" (no
 * dsync.user.deleted / dsync.group.deleted are sent), so `dsync.deleted` also removes the
 * directory's users, groups and group memberships. Likewise a deleted directory user or group
 * takes its group memberships with it.
 */

export const OBJECT_KINDS = [
  'organizations',
  'organization_domains',
  'users',
  'organization_memberships',
  'connections',
  'directories',
  'directory_users',
  'directory_groups',
  'directory_group_memberships',
] as const;

export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** An object as WorkOS sent it in an event's `data` (shared with the event log: do not mutate). */
export type StateObject = Readonly<Record<string, unknown>>;

export interface EventRoute {
  kind: ObjectKind;
  action: 'upsert' | 'delete';
}

/** The fields of a stored event the state needs (a StoredEvent fits). */
export interface StateEvent {
  readonly id: string;
  readonly event: string;
  readonly data: Record<string, unknown>;
  readonly created_at: string;
}

/** What one event did to the state. */
export interface AppliedEvent {
  route: EventRoute;
  /** The object id (for group memberships `${group.id}:${user.id}`). */
  id: string;
  /** Ids removed along with it (`dsync.deleted`: the directory's users, groups, memberships). */
  cascaded: { kind: ObjectKind; id: string }[];
}

const ROUTES = new Map<string, EventRoute>();
function route(kind: ObjectKind, upserts: string[], deletes: string[]): void {
  for (const type of upserts) ROUTES.set(type, { kind, action: 'upsert' });
  for (const type of deletes) ROUTES.set(type, { kind, action: 'delete' });
}
route('organizations', ['organization.created', 'organization.updated'], ['organization.deleted']);
route(
  'organization_domains',
  ['organization_domain.created', 'organization_domain.updated', 'organization_domain.verified', 'organization_domain.verification_failed'],
  ['organization_domain.deleted'],
);
route('users', ['user.created', 'user.updated'], ['user.deleted']);
route('organization_memberships', ['organization_membership.created', 'organization_membership.updated'], ['organization_membership.deleted']);
route('connections', ['connection.activated', 'connection.deactivated'], ['connection.deleted']);
route('directories', ['dsync.activated', 'dsync.deactivated'], ['dsync.deleted']);
route('directory_users', ['dsync.user.created', 'dsync.user.updated'], ['dsync.user.deleted']);
route('directory_groups', ['dsync.group.created', 'dsync.group.updated'], ['dsync.group.deleted']);
route('directory_group_memberships', ['dsync.group.user_added'], ['dsync.group.user_removed']);

/** The mirror's routing table: where an event type goes, or undefined (ignored). */
export function routeEventType(type: string): EventRoute | undefined {
  return ROUTES.get(type);
}

/** Every routed event type, for tests. */
export const ROUTED_EVENT_TYPES: readonly string[] = Object.freeze([...ROUTES.keys()]);

/**
 * The id of the object an event's data describes: `data.id`, or for group memberships
 * `${data.group.id}:${data.user.id}`; undefined when the data lacks it.
 */
export function objectIdOf(kind: ObjectKind, data: Record<string, unknown>): string | undefined {
  if (kind === 'directory_group_memberships') {
    const group = str(nested(data, 'group')?.['id']);
    const user = str(nested(data, 'user')?.['id']);
    return group && user ? `${group}:${user}` : undefined;
  }
  return str(data['id']);
}

/** A listing request, already validated. */
export interface ListQuery {
  order: 'asc' | 'desc';
  /** 1..100. */
  limit: number;
  after?: string | undefined;
  before?: string | undefined;
}

/** Filters of the state APIs; each applies only to the kinds that have it. */
export interface ListFilter {
  /** organization_domains, organization_memberships, connections, directories; users: via a live membership. */
  organizationId?: string | undefined;
  /** organization_memberships. */
  userId?: string | undefined;
  /** users (case-insensitive). */
  email?: string | undefined;
  /** directory_users, directory_groups, directory_group_memberships. */
  directoryId?: string | undefined;
  /** directory_users: members of that group; directory_group_memberships. */
  groupId?: string | undefined;
  /** directory_groups: groups that directory user belongs to; directory_group_memberships. */
  directoryUserId?: string | undefined;
}

export interface ListPage {
  data: StateObject[];
  /** Id of the page's first object when objects come before it in the listing, else null. */
  before: string | null;
  /** Id of the page's last object when objects come after it in the listing, else null. */
  after: string | null;
}

/** Read-only access for tests (`fake.state`). */
export interface ObjectStateView {
  /** Live objects of a kind in listing order (created_at, then id, ascending). */
  list(kind: ObjectKind): StateObject[];
  get(kind: ObjectKind, id: string): StateObject | undefined;
  has(kind: ObjectKind, id: string): boolean;
  size(kind: ObjectKind): number;
  /** True when the id was live once and is deleted now. */
  isDeleted(kind: ObjectKind, id: string): boolean;
  /** Ids deleted and not live again, in deletion order. */
  deletedIds(kind: ObjectKind): string[];
  /** The event that last upserted a live object. */
  lastEventOf(kind: ObjectKind, id: string): { id: string; type: string; created_at: string } | undefined;
  /** One page of a listing, as the state APIs serve it. */
  page(kind: ObjectKind, filter: ListFilter, query: ListQuery): ListPage;
}

interface Key {
  readonly ms: number;
  readonly id: string;
}

interface Entry extends Key {
  object: StateObject;
  eventId: string;
  eventType: string;
  eventCreatedAt: string;
  /** Index values the entry is filed under, to unfile it on change. */
  fields: Partial<Record<IndexField, string>>;
}

type IndexField = 'organization_id' | 'user_id' | 'email' | 'directory_id' | 'group_id' | 'directory_user_id';

/** What each kind is indexed by (the values come from the object). */
const INDEXED: Record<ObjectKind, readonly IndexField[]> = {
  organizations: [],
  organization_domains: ['organization_id'],
  users: ['email'],
  organization_memberships: ['organization_id', 'user_id'],
  connections: ['organization_id'],
  directories: ['organization_id'],
  directory_users: ['directory_id'],
  directory_groups: ['directory_id'],
  directory_group_memberships: ['directory_id', 'group_id', 'directory_user_id'],
};

function indexValues(kind: ObjectKind, object: StateObject): Partial<Record<IndexField, string>> {
  const out: Partial<Record<IndexField, string>> = {};
  for (const field of INDEXED[kind]) {
    let value: string | undefined;
    if (field === 'email') value = str(object['email'])?.toLowerCase();
    else if (kind === 'directory_group_memberships' && field === 'group_id') value = str(nested(object, 'group')?.['id']);
    else if (kind === 'directory_group_memberships' && field === 'directory_user_id') value = str(nested(object, 'user')?.['id']);
    else if (kind === 'directory_group_memberships' && field === 'directory_id') {
      value = str(object['directory_id']) ?? str(nested(object, 'group')?.['directory_id']);
    } else value = str(object[field]);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

function compareKeys(a: Key, b: Key): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Random access to entries sorted by key, ascending. */
interface SortedEntries {
  readonly length: number;
  at(index: number): Entry;
}

/** First index whose key is >= key (strict: > key). */
function bound(list: SortedEntries, key: Key, strict: boolean): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const c = compareKeys(list.at(mid), key);
    if (c < 0 || (strict && c === 0)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Entries sorted by (created_at ms, id); inserts and removals by binary search. */
class SortedList implements SortedEntries {
  readonly #items: Entry[] = [];

  get length(): number {
    return this.#items.length;
  }

  at(index: number): Entry {
    const item = this.#items[index];
    if (!item) throw new RangeError(`no entry at ${index}`);
    return item;
  }

  insert(entry: Entry): void {
    const last = this.#items.at(-1);
    // Objects mostly arrive in creation order: appending is the common case.
    if (!last || compareKeys(last, entry) < 0) this.#items.push(entry);
    else this.#items.splice(bound(this, entry, false), 0, entry);
  }

  remove(key: Key): void {
    const index = bound(this, key, false);
    const found = this.#items[index];
    if (found && compareKeys(found, key) === 0) this.#items.splice(index, 1);
  }

  values(): Entry[] {
    return [...this.#items];
  }
}

class ArrayEntries implements SortedEntries {
  readonly items: Entry[];
  constructor(items: Entry[]) {
    this.items = items;
  }
  get length(): number {
    return this.items.length;
  }
  at(index: number): Entry {
    const item = this.items[index];
    if (!item) throw new RangeError(`no entry at ${index}`);
    return item;
  }
}

class KindStore {
  readonly live = new Map<string, Entry>();
  readonly order = new SortedList();
  readonly indexes = new Map<IndexField, Map<string, SortedList>>();
  /** Last listing key of deleted ids, so a cursor on a since-deleted object still positions. */
  readonly tombstones = new Map<string, Key>();
  readonly kind: ObjectKind;

  constructor(kind: ObjectKind) {
    this.kind = kind;
    for (const field of INDEXED[kind]) this.indexes.set(field, new Map());
  }

  indexed(field: IndexField, value: string): SortedList | undefined {
    return this.indexes.get(field)?.get(value);
  }

  file(entry: Entry): void {
    this.order.insert(entry);
    for (const [field, value] of Object.entries(entry.fields) as [IndexField, string][]) {
      const byValue = this.indexes.get(field);
      if (!byValue) continue;
      let list = byValue.get(value);
      if (!list) byValue.set(value, (list = new SortedList()));
      list.insert(entry);
    }
  }

  unfile(entry: Entry): void {
    this.order.remove(entry);
    for (const [field, value] of Object.entries(entry.fields) as [IndexField, string][]) {
      const byValue = this.indexes.get(field);
      const list = byValue?.get(value);
      if (!list) continue;
      list.remove(entry);
      if (list.length === 0) byValue?.delete(value);
    }
  }

  /** The listing key of an id, live or deleted. */
  keyOf(id: string): Key | undefined {
    return this.live.get(id) ?? this.tombstones.get(id);
  }
}

export class ObjectState implements ObjectStateView {
  readonly #kinds = new Map<ObjectKind, KindStore>(OBJECT_KINDS.map((kind) => [kind, new KindStore(kind)]));

  /**
   * Applies one event (in log order). Returns what it did, or undefined when the type is not
   * routed or its data lacks an id (a hand-written test event such as `{ id: undefined }`).
   */
  apply(raw: StateEvent): AppliedEvent | undefined {
    const routed = routeEventType(raw.event);
    if (!routed || !raw.data || typeof raw.data !== 'object') return undefined;
    // WorkOS wraps the domain of a failed verification: { reason, organization_domain }.
    const wrapped = raw.event === 'organization_domain.verification_failed' ? nested(raw.data, 'organization_domain') : undefined;
    const event: StateEvent = wrapped ? { ...raw, data: wrapped } : raw;
    const id = objectIdOf(routed.kind, event.data);
    if (id === undefined) return undefined;
    const cascaded: { kind: ObjectKind; id: string }[] = [];
    if (routed.action === 'upsert') this.#upsert(routed.kind, id, event);
    else {
      this.#remove(routed.kind, id);
      cascaded.push(...this.#cascade(routed.kind, id));
    }
    return { route: routed, id, cascaded };
  }

  list(kind: ObjectKind): StateObject[] {
    return this.#store(kind).order.values().map((entry) => entry.object);
  }

  get(kind: ObjectKind, id: string): StateObject | undefined {
    return this.#store(kind).live.get(id)?.object;
  }

  has(kind: ObjectKind, id: string): boolean {
    return this.#store(kind).live.has(id);
  }

  size(kind: ObjectKind): number {
    return this.#store(kind).live.size;
  }

  isDeleted(kind: ObjectKind, id: string): boolean {
    return this.#store(kind).tombstones.has(id);
  }

  deletedIds(kind: ObjectKind): string[] {
    return [...this.#store(kind).tombstones.keys()];
  }

  lastEventOf(kind: ObjectKind, id: string): { id: string; type: string; created_at: string } | undefined {
    const entry = this.#store(kind).live.get(id);
    return entry ? { id: entry.eventId, type: entry.eventType, created_at: entry.eventCreatedAt } : undefined;
  }

  page(kind: ObjectKind, filter: ListFilter, query: ListQuery): ListPage {
    const store = this.#store(kind);
    const entries = this.#select(store, filter);
    return paginate(entries, query, (id) => store.keyOf(id));
  }

  #store(kind: ObjectKind): KindStore {
    const store = this.#kinds.get(kind);
    if (!store) throw new RangeError(`unknown object kind: ${String(kind)}`);
    return store;
  }

  #upsert(kind: ObjectKind, id: string, event: StateEvent): void {
    const store = this.#store(kind);
    const previous = store.live.get(id);
    const eventMs = Date.parse(event.created_at);
    // Listing order is by the object's created_at; without one, by when it was first seen.
    const ownMs = kind === 'directory_group_memberships' ? Number.NaN : Date.parse(str(event.data['created_at']) ?? '');
    const ms = Number.isNaN(ownMs) ? (previous?.ms ?? eventMs) : ownMs;
    if (previous) store.unfile(previous);
    const entry: Entry = {
      ms,
      id,
      object: event.data,
      eventId: event.id,
      eventType: event.event,
      eventCreatedAt: event.created_at,
      fields: indexValues(kind, event.data),
    };
    store.live.set(id, entry);
    store.tombstones.delete(id);
    store.file(entry);
  }

  #remove(kind: ObjectKind, id: string): boolean {
    const store = this.#store(kind);
    const entry = store.live.get(id);
    if (!entry) return false;
    store.unfile(entry);
    store.live.delete(id);
    store.tombstones.set(id, { ms: entry.ms, id });
    return true;
  }

  /** Objects that cannot outlive the one just deleted. */
  #cascade(kind: ObjectKind, id: string): { kind: ObjectKind; id: string }[] {
    const doomed: { kind: ObjectKind; id: string }[] = [];
    const collect = (target: ObjectKind, field: IndexField): void => {
      const list = this.#store(target).indexed(field, id);
      for (const entry of list?.values() ?? []) doomed.push({ kind: target, id: entry.id });
    };
    if (kind === 'directories') {
      collect('directory_group_memberships', 'directory_id');
      collect('directory_users', 'directory_id');
      collect('directory_groups', 'directory_id');
    } else if (kind === 'directory_users') collect('directory_group_memberships', 'directory_user_id');
    else if (kind === 'directory_groups') collect('directory_group_memberships', 'group_id');
    return doomed.filter((target) => this.#remove(target.kind, target.id));
  }

  /** The entries of a kind that pass the filter, ascending. */
  #select(store: KindStore, filter: ListFilter): SortedEntries {
    const candidates: SortedEntries[] = [];
    const direct = (field: IndexField, value: string | undefined): void => {
      if (value === undefined) return;
      candidates.push(store.indexed(field, field === 'email' ? value.toLowerCase() : value) ?? new ArrayEntries([]));
    };
    /** Live objects of this kind whose ids are `pick`ed from the entries of another kind's index. */
    const via = (kind: ObjectKind, field: IndexField, value: string | undefined, pick: (object: StateObject) => string | undefined): void => {
      if (value === undefined) return;
      const seen = new Set<string>();
      const found: Entry[] = [];
      for (const link of this.#store(kind).indexed(field, value)?.values() ?? []) {
        const id = pick(link.object);
        const entry = id === undefined || seen.has(id) ? undefined : store.live.get(id);
        if (id !== undefined) seen.add(id);
        if (entry) found.push(entry);
      }
      candidates.push(new ArrayEntries(found.sort(compareKeys)));
    };

    switch (store.kind) {
      case 'users':
        via('organization_memberships', 'organization_id', filter.organizationId, (m) => str(m['user_id']));
        direct('email', filter.email);
        break;
      case 'organization_memberships':
        direct('organization_id', filter.organizationId);
        direct('user_id', filter.userId);
        break;
      case 'organization_domains':
      case 'connections':
      case 'directories':
        direct('organization_id', filter.organizationId);
        break;
      case 'directory_users':
        direct('directory_id', filter.directoryId);
        via('directory_group_memberships', 'group_id', filter.groupId, (m) => str(nested(m, 'user')?.['id']));
        break;
      case 'directory_groups':
        direct('directory_id', filter.directoryId);
        via('directory_group_memberships', 'directory_user_id', filter.directoryUserId, (m) => str(nested(m, 'group')?.['id']));
        break;
      case 'directory_group_memberships':
        direct('directory_id', filter.directoryId);
        direct('group_id', filter.groupId);
        direct('directory_user_id', filter.directoryUserId);
        break;
      case 'organizations':
        break;
    }

    if (candidates.length === 0) return store.order;
    candidates.sort((a, b) => a.length - b.length);
    const [smallest, ...others] = candidates as [SortedEntries, ...SortedEntries[]];
    if (others.length === 0) return smallest;
    const otherIds = others.map((list) => new Set(Array.from({ length: list.length }, (_, i) => list.at(i).id)));
    const kept: Entry[] = [];
    for (let i = 0; i < smallest.length; i++) {
      const entry = smallest.at(i);
      if (otherIds.every((ids) => ids.has(entry.id))) kept.push(entry);
    }
    return new ArrayEntries(kept);
  }
}

/**
 * One page of `entries` (ascending). `after`/`before` are object ids resolved to their listing
 * key (live or deleted objects alike, so a cursor survives its object's deletion); an unknown id
 * is ignored, as the fake's /events does. With `before` only, the page is the `limit` objects
 * just before it (the previous page); otherwise the first `limit` objects of the window.
 */
export function paginate(entries: SortedEntries, query: ListQuery, keyOf: (id: string) => Key | undefined): ListPage {
  const descending = query.order === 'desc';
  let low = 0;
  let high = entries.length;
  const afterKey = query.after === undefined ? undefined : keyOf(query.after);
  const beforeKey = query.before === undefined ? undefined : keyOf(query.before);
  // In descending order "after X" means smaller keys, "before X" larger ones.
  if (afterKey) {
    if (descending) high = Math.min(high, bound(entries, afterKey, false));
    else low = Math.max(low, bound(entries, afterKey, true));
  }
  if (beforeKey) {
    if (descending) low = Math.max(low, bound(entries, beforeKey, true));
    else high = Math.min(high, bound(entries, beforeKey, false));
  }
  if (low >= high) return { data: [], before: null, after: null };

  // Which end of the window the page hugs, in ascending indexes: the listing's start, or the
  // `before` cursor when paging backwards.
  const fromListingStart = !(beforeKey && !afterKey);
  const hugLow = fromListingStart ? !descending : descending;
  const start = hugLow ? low : Math.max(low, high - query.limit);
  const end = hugLow ? Math.min(high, low + query.limit) : high;

  const slice: Entry[] = [];
  for (let i = start; i < end; i++) slice.push(entries.at(i));
  if (descending) slice.reverse();
  const first = slice[0];
  const last = slice.at(-1);
  // Objects before the page in the listing: smaller indexes when ascending, larger when descending.
  const moreBefore = descending ? end < entries.length : start > 0;
  const moreAfter = descending ? start > 0 : end < entries.length;
  return {
    data: slice.map((entry) => entry.object),
    before: moreBefore && first ? first.id : null,
    after: moreAfter && last ? last.id : null,
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function nested(object: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> | undefined {
  const value = object[key];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
