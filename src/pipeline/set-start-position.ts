import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { filterOf, type CursorStore } from '../cursor/cursor-store.js';
import { WesError } from '../errors.js';
import type { Sleep } from '../retry/sleep.js';
import { withRetry } from '../retry/with-retry.js';
import { parseEventTime } from '../workos/event.js';

/**
 * `--from <time>`: the recovery for a stale or lost cursor. The cursor becomes that time, read
 * with `range_start` (which WorkOS does not combine with `after`) until the first page commits;
 * events already delivered come again and the sinks de-duplicate them by id. A time after the
 * cursor's event is refused while the cursor is fresh (it would skip events WorkOS still has);
 * for a stale cursor it is the point of the recovery, since what came before may be gone.
 */
export async function setStartPosition(store: CursorStore, from: string, config: Config, logger: Logger, sleep: Sleep, nowMs: number): Promise<void> {
  const fromMs = Date.parse(from);
  if (Number.isNaN(fromMs)) throw new WesError('WES_ERR_CONFIG', `--from: expected an ISO time such as 2026-01-15T00:00:00Z, got "${from}"`);
  const retry = { what: 'read the cursor', maxAttempts: config.retry.maxAttempts, backoff: config.retry, logger, sleep };
  const current = await withRetry(() => store.get(), retry);
  const cursorMs = current?.createdAt ? parseEventTime(current.createdAt) : Number.NaN;
  const stale = nowMs - cursorMs > config.cursor.maxAgeDays * 86_400_000;
  if (fromMs > cursorMs && !stale) {
    throw new WesError(
      'WES_ERR_CONFIG',
      `--from ${from} is after the cursor's event (${current?.createdAt}): starting there would skip the events in between, and the cursor is not stale. Use an earlier time, or "cursor set"/"cursor reset" if you mean it`,
    );
  }
  const start = new Date(fromMs).toISOString();
  await withRetry(() => store.set({ id: null, createdAt: start, filter: filterOf(config.events, config.organizationId) }), { ...retry, what: 'write the start position' });
  if (fromMs > cursorMs) logger.warn({ from: start, previous_cursor_created_at: current?.createdAt }, 'starting after a stale cursor: events between the two that WorkOS still holds are not delivered');
  logger.warn({ from: start, previous_cursor: current?.id ?? null }, 're-reading events from a point in time: events from there on are delivered again (sinks de-duplicate by event id)');
}
