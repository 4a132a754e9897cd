import { parseEventTime } from '../workos/event.js';
import type { WorkOSObject } from './list-objects.js';

/** A mirror row as reconcile reads it. */
export interface MirrorRow {
  readonly id: string;
  readonly updatedAt: string;
  readonly deletedAt: string | null;
}

/** What differs between WorkOS and one mirror table. */
export interface TableDiff {
  readonly table: string;
  /** In WorkOS, but not live in the mirror (never written, or tombstoned). */
  readonly missing: readonly WorkOSObject[];
  /** Live in the mirror, gone from WorkOS: deletions show up only this way. */
  readonly extra: readonly string[];
  /** In both, but the mirror holds another version (`updated_at` differs). */
  readonly stale: readonly WorkOSObject[];
}

function versionOf(object: WorkOSObject): number {
  return parseEventTime(String(object.updated_at ?? object.created_at ?? ''));
}

/** Compares WorkOS's objects with the mirror's rows of one table. Pure. */
export function diffTable(table: string, objects: readonly WorkOSObject[], rows: readonly MirrorRow[]): TableDiff {
  const live = new Map(rows.filter((r) => r.deletedAt === null).map((r) => [r.id, r]));
  const inWorkOS = new Set<string>();
  const missing: WorkOSObject[] = [];
  const stale: WorkOSObject[] = [];
  for (const object of objects) {
    inWorkOS.add(object.id);
    const row = live.get(object.id);
    if (!row) missing.push(object);
    else if (parseEventTime(row.updatedAt) !== versionOf(object)) stale.push(object);
  }
  const extra = [...live.keys()].filter((id) => !inWorkOS.has(id));
  return { table, missing, extra, stale };
}

export function isClean(diff: TableDiff): boolean {
  return diff.missing.length === 0 && diff.extra.length === 0 && diff.stale.length === 0;
}
