import type pg from 'pg';
import { MIRROR_TABLES } from '../../src/sinks/postgres-mirror/mirror-tables.js';
import type { FakeWorkOS } from '../fakes/fake-workos.js';
import { objectIdOf, ROUTED_EVENT_TYPES } from '../fakes/object-state.js';

/** What a mirror holds and what it should hold, in the same shape: equal when the mirror is right. */
export interface MirrorComparison {
  readonly mirror: Record<string, unknown>;
  readonly fake: Record<string, unknown>;
}

/**
 * Per table, the live rows (id and raw, by id) of the mirror in `schema` against the objects the
 * fake WorkOS lists now, exactly as its events carried them; and the events counted in
 * `ignored_events` against the fake's events of types the mirror does not route.
 */
export async function mirrorAndFakeState(admin: pg.Pool, schema: string, fake: FakeWorkOS): Promise<MirrorComparison> {
  const mirror: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  for (const table of MIRROR_TABLES.map((t) => t.name)) {
    const { rows } = await admin.query<{ id: string; raw: unknown }>(`select id, raw from "${schema}"."${table}" where deleted_at is null order by id collate "C"`);
    mirror[table] = rows;
    expected[table] = fake.state.list(table).map((o) => ({ id: objectIdOf(table, { ...o })!, raw: o })).sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  const ignored = await admin.query<{ n: string }>(`select coalesce(sum(count), 0) as n from "${schema}".ignored_events`);
  mirror['ignored_events'] = Number(ignored.rows[0]!.n);
  const routed = new Set(ROUTED_EVENT_TYPES);
  expected['ignored_events'] = fake.events.filter((e) => !routed.has(e.event)).length;
  return { mirror, fake: expected };
}
