import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { filterOf, positionOfSink, type Cursor, type CursorStore } from '../cursor/cursor-store.js';
import { WesError } from '../errors.js';
import type { Retrier } from '../retry/retrier.js';
import type { Sink } from '../sinks/sink.js';
import { parseEventTime } from '../workos/event.js';

/** The sinks a move by hand applies to: the one named (`--sink`), or all of them. */
export function targetSinks(sinks: readonly Sink[], only: string | undefined): readonly Sink[] {
  if (only === undefined) return sinks;
  const found = sinks.filter((s) => s.name === only);
  if (found.length === 0) throw new WesError('WES_ERR_CONFIG', `--sink: no sink is named "${only}"; the sinks are ${sinks.map((s) => `"${s.name}"`).join(', ')}`);
  return found;
}

/** One sink's position as the store (or the sink itself, for one that keeps it) has it. */
async function positionOf(store: CursorStore, sink: Sink): Promise<Cursor | null> {
  const own = await sink.positions?.read();
  if (own) return own;
  return positionOfSink(await store.read(), sink.name);
}

/** Writes one position for `sinks` (every sink when `all`), where each keeps it. */
export async function movePositions(store: CursorStore, sinks: readonly Sink[], cursor: Cursor | null, all: boolean): Promise<void> {
  for (const sink of sinks) await sink.positions?.set(cursor);
  if (cursor === null) {
    if (all) await store.reset();
    else for (const sink of sinks) await store.forget(sink.name);
  } else if (all) await store.set(cursor);
  else for (const sink of sinks) await store.commit(sink.name, cursor);
}

/**
 * `--from <time> [--sink NAME]`: the recovery for a stale or lost cursor, or a replay for one
 * sink. The position becomes that time, read with `range_start` (which WorkOS does not combine
 * with `after`) until the first page commits; events already delivered come again and the sinks
 * de-duplicate them by id. A time after a sink's position is refused while that position is
 * fresh (it would skip events WorkOS still has); for a stale one it is the point of the recovery.
 */
export async function setStartPosition(store: CursorStore, sinks: readonly Sink[], from: string, only: string | undefined, config: Config, logger: Logger, retrier: Retrier, nowMs: number): Promise<void> {
  const fromMs = Date.parse(from);
  if (Number.isNaN(fromMs)) throw new WesError('WES_ERR_CONFIG', `--from: expected an ISO time such as 2026-01-15T00:00:00Z, got "${from}"`);
  const targets = targetSinks(sinks, only);
  const start = new Date(fromMs).toISOString();
  for (const sink of targets) {
    const current = await retrier.run(() => positionOf(store, sink), { what: 'read the cursor', operation: 'cursor_read' });
    const cursorMs = current?.createdAt ? parseEventTime(current.createdAt) : Number.NaN;
    const stale = nowMs - cursorMs > config.cursor.maxAgeDays * 86_400_000;
    if (fromMs > cursorMs && !stale) {
      throw new WesError(
        'WES_ERR_CONFIG',
        `--from ${from} is after the cursor of sink "${sink.name}" (${current?.createdAt}): starting there would skip the events in between, and the cursor is not stale. Use an earlier time, or "cursor set"/"cursor reset" if you mean it`,
      );
    }
    if (fromMs > cursorMs) logger.warn({ sink: sink.name, from: start, previous_cursor_created_at: current?.createdAt }, 'starting after a stale cursor: events between the two that WorkOS still holds are not delivered');
    logger.warn({ sink: sink.name, from: start, previous_cursor: current?.id ?? null }, 're-reading events from a point in time: events from there on are delivered again (sinks de-duplicate by event id)');
  }
  const cursor: Cursor = { id: null, createdAt: start, filter: filterOf(config.events, config.organizationId) };
  await retrier.run(() => movePositions(store, targets, cursor, only === undefined), { what: 'write the start position', operation: 'cursor_commit' });
}
