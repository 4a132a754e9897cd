import { isDeepStrictEqual } from 'node:util';
import { parseEventTime } from '../workos/event.js';
import { mirrorTable, type MirrorRowState, type MirrorTableName, type WorkOSObject } from '../sinks/postgres-mirror/mirror-tables.js';

/** One field where the mirror and WorkOS disagree. */
export interface FieldDifference {
  readonly table: MirrorTableName;
  readonly id: string;
  /** A column, `raw.<field>`, or `row` when one side has no live object at all. */
  readonly column: string;
  /** The mirror's value; for `row`: `absent`, `live` or `deleted`. */
  readonly mirror: unknown;
  /** WorkOS's value; for `row`: `live` or `gone`. */
  readonly workos: unknown;
}

/**
 * Fields of `raw` that are not compared, because the events and the APIs carry them differently
 * (the SDK's types say so) or because another table reconciles them:
 * - organizations' `domains`: the organization_domains table, checked against them;
 * - directories' `domain`/`domains` and `state`: the columns, which read both forms alike;
 * - directory users' `groups` (the API's, deprecated) and `previous_attributes` (the events'):
 *   group memberships are their own table;
 * - group memberships' whole raw: its user and group are snapshots from the time of the event.
 */
const NOT_COMPARED: Partial<Record<MirrorTableName, readonly string[]>> = {
  organizations: ['domains'],
  directories: ['domain', 'domains', 'state'],
  directory_users: ['groups', 'previous_attributes'],
  directory_groups: ['previous_attributes'],
};

/** `raw` as compared: the fields above left out, top-level times as instants. */
function comparable(table: MirrorTableName, object: WorkOSObject): Record<string, unknown> {
  const skipped = new Set(NOT_COMPARED[table] ?? []);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (skipped.has(key)) continue;
    out[key] = (key === 'created_at' || key === 'updated_at') && typeof value === 'string' ? instant(value) : value;
  }
  return out;
}

function instant(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const ms = parseEventTime(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/**
 * Every field of a live WorkOS object that its mirror row (`row`, undefined when there is none)
 * does not hold: the row missing or tombstoned, each column, created_at and updated_at (as
 * instants; a group membership has no version of its own), and each top-level field of `raw`.
 */
export function compareRow(table: MirrorTableName, object: WorkOSObject, id: string, row: MirrorRowState | undefined): FieldDifference[] {
  const differs = (column: string, mirror: unknown, workos: unknown): FieldDifference => ({ table, id, column, mirror, workos });
  if (!row) return [differs('row', 'absent', 'live')];
  const out: FieldDifference[] = [];
  if (row.deletedAt !== null) out.push(differs('deleted_at', row.deletedAt, null));
  const definition = mirrorTable(table);
  for (const column of definition.columns) {
    const expected = column.from(object);
    if (row.columns[column.name] !== expected) out.push(differs(column.name, row.columns[column.name], expected));
  }
  if (definition.ownVersion) {
    const createdAt = instant(object['created_at'] as string | undefined);
    if (createdAt !== null && row.createdAt !== createdAt) out.push(differs('created_at', row.createdAt, createdAt));
    const updatedAt = instant((object['updated_at'] ?? object['created_at']) as string | undefined);
    if (updatedAt !== null && row.updatedAt !== updatedAt) out.push(differs('updated_at', row.updatedAt, updatedAt));
    const mine = comparable(table, row.raw);
    const theirs = comparable(table, object);
    for (const key of [...new Set([...Object.keys(mine), ...Object.keys(theirs)])].sort()) {
      if (!isDeepStrictEqual(mine[key], theirs[key])) out.push(differs(`raw.${key}`, mine[key], theirs[key]));
    }
  }
  return out;
}

/** A live mirror row of an object WorkOS no longer lists. */
export function goneRow(table: MirrorTableName, id: string): FieldDifference {
  return { table, id, column: 'row', mirror: 'live', workos: 'gone' };
}
