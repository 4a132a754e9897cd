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
 * cursor's event is refused: it would skip the events in between.
 */
export async function setStartPosition(store: CursorStore, from: string, config: Config, logger: Logger, sleep: Sleep): Promise<void> {
  const fromMs = Date.parse(from);
  if (Number.isNaN(fromMs)) throw new WesError('WES_ERR_CONFIG', `--from: expected an ISO time such as 2026-01-15T00:00:00Z, got "${from}"`);
  const retry = { what: 'read the cursor', maxAttempts: config.retry.maxAttempts, backoff: config.retry, logger, sleep };
  const current = await withRetry(() => store.get(), retry);
  if (current?.createdAt && fromMs > parseEventTime(current.createdAt)) {
    throw new WesError(
      'WES_ERR_CONFIG',
      `--from ${from} is after the cursor's event (${current.createdAt}): starting there would skip the events in between. Use an earlier time, or "cursor set"/"cursor reset" if you mean it`,
    );
  }
  const start = new Date(fromMs).toISOString();
  await withRetry(() => store.set({ id: null, createdAt: start, filter: filterOf(config.events, config.organizationId) }), { ...retry, what: 'write the start position' });
  logger.warn({ from: start, previous_cursor: current?.id ?? null }, 're-reading events from a point in time: events from there on are delivered again (sinks de-duplicate by event id)');
}
