import type { ClientBase } from 'pg';

/** An event the mirror does not route: only its type, time and id matter. */
export interface IgnoredEvent {
  readonly eventType: string;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly id: string;
}

/**
 * Adds the page's ignored events to `ignored_events`, per type, in one statement. Each type
 * keeps the (created_at, id) of the newest event it counted, and only events after it count:
 * events arrive in stream order, so an event at or before that mark was counted already, and a
 * replayed page leaves the counts unchanged. Returns how many events were counted.
 */
export async function countIgnoredEvents(client: ClientBase, ignoredTable: string, events: readonly IgnoredEvent[]): Promise<number> {
  const unique = [...new Map(events.map((e) => [e.id, e])).values()];
  if (unique.length === 0) return 0;
  const tuples = unique.map((_, i) => `($${i * 3 + 1}::text, $${i * 3 + 2}::timestamptz, $${i * 3 + 3}::text)`);
  const newest = `order by p.event_at desc, p.event_id collate "C" desc`;
  // The data-modifying CTE runs whether or not the final select reads it (Postgres documents
  // that), so counting what was added costs no second statement.
  const result = await client.query<{ counted: string }>(
    `with fresh as (
       select p.event_type, count(*) as n, (array_agg(p.event_at ${newest}))[1] as last_at, (array_agg(p.event_id ${newest}))[1] as last_id
       from (values ${tuples.join(', ')}) as p (event_type, event_at, event_id)
       left join ${ignoredTable} seen on seen.event_type = p.event_type
       where seen.event_type is null
          or (p.event_at, p.event_id collate "C") > (seen.last_event_at, seen.last_event_id collate "C")
       group by p.event_type
     ), added as (
       insert into ${ignoredTable} as i (event_type, count, last_event_at, last_event_id)
       select event_type, n, last_at, last_id from fresh
       on conflict (event_type) do update
         set count = i.count + excluded.count, last_event_at = excluded.last_event_at, last_event_id = excluded.last_event_id
     )
     select coalesce(sum(n), 0) as counted from fresh`,
    unique.flatMap((e) => [e.eventType, e.at, e.id]),
  );
  return result.rows.reduce((sum, r) => sum + Number(r.counted), 0);
}
