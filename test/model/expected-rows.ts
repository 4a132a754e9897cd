/**
 * What the mirror must hold after a stream of events, computed the plain way: the events
 * applied one by one, in stream order, to rows in memory. Written apart from the sink's SQL
 * (its version tuples, page reduction, rounds and cascades) so that a property test can hold
 * that SQL to it, whatever the page size, replays and crashes.
 */

export type Json = Record<string, unknown>;
export type Row = Record<string, unknown>;

/** table -> [column, the top-level field it comes from, how it is read]. */
const COLUMNS: Record<string, ReadonlyArray<readonly [string, string, (o: Json) => unknown]>> = {
  organizations: [['name', 'name', (o) => o['name']], ['external_id', 'external_id', (o) => o['external_id']]],
  organization_domains: ['organization_id', 'domain', 'state', 'verification_strategy'].map((c) => [c, c, (o: Json) => o[c]] as const),
  users: ['email', 'first_name', 'last_name', 'email_verified', 'external_id'].map((c) => [c, c, (o: Json) => o[c]] as const),
  organization_memberships: [
    ['organization_id', 'organization_id', (o) => o['organization_id']], ['user_id', 'user_id', (o) => o['user_id']],
    ['role_slug', 'role', (o) => (o['role'] as Json | null | undefined)?.['slug']], ['status', 'status', (o) => o['status']],
  ],
  connections: ['organization_id', 'connection_type', 'name', 'state'].map((c) => [c, c, (o: Json) => o[c]] as const),
  directories: [
    ...['organization_id', 'type', 'name', 'state'].map((c) => [c, c, (o: Json) => o[c]] as const),
    ['domain', 'domains', (o) => ((o['domains'] as Json[] | undefined)?.[0]?.['domain'])],
  ],
  directory_users: ['directory_id', 'organization_id', 'idp_id', 'email', 'first_name', 'last_name', 'state'].map((c) => [c, c, (o: Json) => o[c]] as const),
  directory_groups: ['directory_id', 'organization_id', 'idp_id', 'name'].map((c) => [c, c, (o: Json) => o[c]] as const),
  directory_group_memberships: [
    ['directory_id', 'directory_id', (o) => o['directory_id']],
    ['directory_group_id', 'group', (o) => (o['group'] as Json)['id']], ['directory_user_id', 'user', (o) => (o['user'] as Json)['id']],
  ],
};

/** The one table without a version of its own: a membership's version is its event's time. */
const NO_OWN_VERSION = 'directory_group_memberships';

export interface ModelEvent {
  readonly id: string;
  readonly event: string;
  readonly data: Json;
  readonly created_at: string;
}

/** Rows per table, as the mirror must hold them (without synced_at), and the ignored events' counts. */
export class ExpectedMirror {
  readonly tables = new Map<string, Map<string, Row>>(Object.keys(COLUMNS).map((t) => [t, new Map()]));
  readonly ignored = new Map<string, Row>();

  /** An event that changes `table`'s row `id`: an upsert sets every column, a delete those its data has. */
  apply(table: string, id: string, action: 'upsert' | 'delete', object: Json, event: ModelEvent): void {
    const rows = this.tables.get(table)!;
    const previous = rows.get(id);
    const row: Row = { id };
    for (const [column, key, read] of COLUMNS[table]!) {
      const keep = action === 'delete' && !(key in object);
      row[column] = keep ? previous?.[column] ?? null : read(object) ?? null;
    }
    const own = table !== NO_OWN_VERSION;
    row['raw'] = object;
    row['created_at'] = (own ? object['created_at'] as string | undefined : undefined) ?? previous?.['created_at'] ?? null;
    row['updated_at'] = own ? object['updated_at'] : event.created_at;
    row['deleted_at'] = action === 'delete' ? event.created_at : null;
    row['last_event_id'] = event.id;
    row['last_event_at'] = event.created_at;
    row['changed_by'] = 'event';
    rows.set(id, row);
  }

  /** A parent's deletion: its live children are deleted at the same time, nothing else of theirs changes. */
  cascade(table: string, column: string, parentId: string, at: string): void {
    for (const row of this.tables.get(table)!.values()) {
      if (row[column] === parentId && row['deleted_at'] === null) row['deleted_at'] = at;
    }
  }

  /** An event of a type the mirror ignores: counted once per type. */
  ignore(event: ModelEvent): void {
    const seen = this.ignored.get(event.event);
    this.ignored.set(event.event, { event_type: event.event, count: String(Number(seen?.['count'] ?? 0) + 1), last_event_at: event.created_at, last_event_id: event.id });
  }

  /** Every table as dumpMirror returns it: rows ordered by id (byte order), every column. */
  dump(): Record<string, Row[]> {
    const order = (a: Row, b: Row) => (String(a['id']) < String(b['id']) ? -1 : 1);
    const out: Record<string, Row[]> = {};
    for (const [table, rows] of this.tables) {
      const columns = COLUMNS[table]!.map(([c]) => c);
      out[table] = [...rows.values()].sort(order).map((row) => Object.fromEntries(
        ['id', ...columns, 'raw', 'created_at', 'updated_at', 'deleted_at', 'last_event_id', 'last_event_at', 'changed_by'].map((c) => [c, row[c] ?? null]),
      ));
    }
    return out;
  }
}
