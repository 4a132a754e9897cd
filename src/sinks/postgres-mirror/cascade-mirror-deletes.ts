import type { ClientBase } from 'pg';
import type { MirrorNames } from './mirror-names.js';
import { MIRROR_TABLES, type MirrorTableName } from './mirror-table-definitions.js';
import { eventOrder } from './upsert-mirror-rows.js';

/**
 * Deletes the children of parents deleted in this page: a directory's users, groups and group
 * memberships (WorkOS sends a sole `dsync.deleted` for all of them), a directory user's or
 * group's memberships. One statement per (child table, parent table) that has deletions in the
 * page. A child is deleted only when its last change came before the parent's deletion in the
 * stream, and gets the parent's deleted_at (the earliest, when several parents cover it); its
 * version, raw and columns stay, so a later upsert of a re-added membership still wins and a
 * stale one cannot. Returns how many rows it deleted.
 */
export async function cascadeMirrorDeletes(client: ClientBase, names: MirrorNames, deletedIds: ReadonlyMap<MirrorTableName, readonly string[]>): Promise<number> {
  let deleted = 0;
  for (const child of MIRROR_TABLES) {
    for (const parent of child.parents) {
      const ids = deletedIds.get(parent.table);
      if (!ids || ids.length === 0) continue;
      const result = await client.query(
        `update ${names.table(child.name)} c set deleted_at = p.deleted_at, changed_by = 'event', synced_at = now()
         from ${names.table(parent.table)} p
         where p.id = any($1::text[]) and p.deleted_at is not null and c.${parent.column} = p.id
           and ${eventOrder('c')} < ${eventOrder('p')}
           and (c.deleted_at is null or c.deleted_at > p.deleted_at)`,
        [ids],
      );
      deleted += result.rowCount ?? 0;
    }
  }
  return deleted;
}
