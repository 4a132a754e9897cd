import type { Logger } from 'pino';
import type { CursorMemory } from './cursor-memory.js';
import { isEmpty, type CursorStore } from './cursor-store.js';

export interface RefreshCursorMemoryOptions {
  readonly store: CursorStore;
  readonly memory: CursorMemory;
  readonly logger: Logger;
  /** Told when this call wrote the remembered positions back into an empty store. */
  readonly onRestored: () => void;
}

/**
 * A standby's part in keeping the cursor, run each time it tries the lease: it reads the stored
 * positions into its memory, and if the store is empty (a Redis restarted without persistence)
 * while it remembers some, writes them back at once, only if still absent. So whichever instance
 * wins the fresh lease, even a new one that has never seen a cursor, finds positions that were
 * delivered up to instead of "startFrom". Writing only into an empty store can never move a
 * cursor backwards over the leader's; what it can cost is a replay of the pages the leader
 * committed since this standby's last round. Failures are left to the lease round to report.
 */
export async function refreshCursorMemory(options: RefreshCursorMemoryOptions): Promise<void> {
  const { store, memory, logger } = options;
  const stored = await store.read();
  if (!isEmpty(stored)) {
    memory.remember(stored);
    return;
  }
  const remembered = memory.latest;
  if (!remembered || !store.restore) return;
  if (await store.restore(remembered)) {
    logger.error(
      { cursor: remembered.deployment?.id ?? null, sinks: Object.fromEntries([...(remembered.sinks ?? [])].map(([name, c]) => [name, c.id ?? c.createdAt])), store: store.description },
      'the cursor vanished from the store (was Redis restarted without persistence?); this standby restored the freshest cursor it has seen',
    );
    options.onRestored();
  }
}
