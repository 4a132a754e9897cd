import type { Config } from '../config/schema.js';
import { positionOfSink, type Cursor, type CursorStore } from '../cursor/cursor-store.js';
import type { Sink } from '../sinks/sink.js';
import { parseEventTime } from '../workos/event.js';

/** Where one sink stands, or will start, as `check` and `cursor show` print it. */
export interface SinkStanding {
  readonly sink: string;
  /** Its position; null when it has none yet. */
  readonly cursor: Cursor | null;
  /** Where the position comes from: the sink's own store, its entry in the cursor store, or the deployment's (an upgrade). */
  readonly source: 'sink' | 'store' | 'deployment' | 'none';
  /** Without a position: where its first drain begins. */
  readonly startFrom: Config['startFrom'];
}

/** Reads every sink's standing the way the pipeline would at its next drain (see Lane.startPosition). */
export async function describePositions(store: CursorStore, sinks: readonly Sink[], config: Pick<Config, 'sinks' | 'startFrom'>): Promise<SinkStanding[]> {
  const positions = await store.read();
  return Promise.all(sinks.map(async (sink, i) => {
    const startFrom = config.sinks[i]?.startFrom ?? config.startFrom;
    const own = await sink.positions?.read();
    if (own) return { sink: sink.name, cursor: own, source: 'sink' as const, startFrom };
    const inStore = positionOfSink(positions, sink.name);
    if (!inStore) return { sink: sink.name, cursor: null, source: 'none' as const, startFrom };
    return { sink: sink.name, cursor: inStore, source: positions.sinks ? ('store' as const) : ('deployment' as const), startFrom };
  }));
}

function behind(createdAt: string | null, nowMs: number): string {
  const at = createdAt ? parseEventTime(createdAt) : Number.NaN;
  if (Number.isNaN(at)) return '';
  const seconds = Math.max(0, (nowMs - at) / 1000);
  const text = seconds >= 86_400 ? `${(seconds / 86_400).toFixed(1)} days` : seconds >= 3_600 ? `${(seconds / 3_600).toFixed(1)} hours` : `${Math.round(seconds)} s`;
  return `, ${text} behind`;
}

/**
 * One line a person reads: where the sink resumes, or where it will start and how far behind
 * that is, so that nobody sends 30 days to a webhook handler by surprise. `oldest` is the
 * `created_at` of the oldest event WorkOS retains, when known (for "earliest").
 */
export function describeStanding(standing: SinkStanding, nowMs: number, oldest: string | undefined): string {
  const { cursor } = standing;
  if (cursor) {
    const where = cursor.id ? `after ${cursor.id}${cursor.createdAt ? ` (${cursor.createdAt})` : ''}` : `from ${cursor.createdAt}`;
    const why = standing.source === 'deployment' ? ' (the deployment\'s cursor, from before per-sink cursors)' : standing.source === 'sink' ? ' (kept in the sink\'s own database)' : '';
    return `resumes ${where}${behind(cursor.createdAt, nowMs)}${why}`;
  }
  if (standing.startFrom === 'now') return 'no position yet: will start from now (only events from its first drain on)';
  if (standing.startFrom === 'earliest') {
    return `no position yet: will start from the oldest event WorkOS retains${oldest ? ` (${oldest}${behind(oldest, nowMs)})` : ''}, up to 30 days of events`;
  }
  return `no position yet: will start from ${standing.startFrom}${behind(standing.startFrom, nowMs)}`;
}
