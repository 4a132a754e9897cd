import type { Logger } from 'pino';
import type { CursorMemory } from './cursor-memory.js';
import type { CursorStore } from './cursor-store.js';

export interface RefreshCursorMemoryOptions {
  readonly store: CursorStore;
  readonly memory: CursorMemory;
  readonly logger: Logger;
  /** Told when this call wrote the remembered cursor back into an empty store. */
  readonly onRestored: () => void;
}

/**
 * A standby's part in keeping the cursor, run each time it tries the lease: it reads the stored
 * cursor into its memory, and if the store is empty (a Redis restarted without persistence)
 * while it remembers one, writes that back at once, only if still absent. So whichever instance
 * wins the fresh lease, even a new one that has never seen a cursor, finds a position that was
 * delivered up to instead of "startFrom". Writing only into an empty key can never move a cursor
 * backwards over the leader's; what it can cost is a replay of the pages the leader committed
 * since this standby's last round. Failures are left to the lease round to report.
 */
export async function refreshCursorMemory(options: RefreshCursorMemoryOptions): Promise<void> {
  const { store, memory, logger } = options;
  const stored = await store.get();
  if (stored) {
    memory.remember(stored);
    return;
  }
  const remembered = memory.latest;
  if (!remembered || !store.setIfAbsent) return;
  if (await store.setIfAbsent(remembered)) {
    logger.error(
      { cursor: remembered.id, cursor_created_at: remembered.createdAt, store: store.description },
      'the cursor vanished from the store (was Redis restarted without persistence?); this standby restored the freshest cursor it has seen',
    );
    options.onRestored();
  }
}
