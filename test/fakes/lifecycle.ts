import { createEventFactory, type EventFactory, type EventFactoryOptions } from './event-factory.js';
import type { FakeWorkOS, StoredEvent } from './fake-workos.js';

export interface LifecycleOptions {
  /** Seed of the factory; default 1. Ignored when `factory` is given. */
  seed?: number;
  /**
   * Continue a factory's world (create it with `createEventFactory(seed, { profile: 'lifecycle' })`)
   * so a later call updates and deletes objects an earlier call created.
   */
  factory?: EventFactory;
  /** See EventFactoryOptions.legacyDirectoryDeletes; ignored when `factory` is given. */
  legacyDirectoryDeletes?: boolean;
  /**
   * created_at of the first event; default: the fake's clock (never before the newest event),
   * the same for every event of the call unless `spacingMs` is given.
   */
  start?: Date | string;
  /** Gap between consecutive created_at, in ms; default 1000 with `start`, else 0. */
  spacingMs?: number;
}

/**
 * Adds n events of a long random lifecycle to the fake: organizations, domains, users,
 * memberships, connections, directories, directory users, groups and group memberships
 * created, updated and deleted (a deleted object never comes back; group memberships may be
 * re-added), with ~5% events the mirror ignores. The fake's state (fake.state and the state
 * APIs) follows. Deterministic for a seed and start.
 */
export function applyLifecycle(fake: FakeWorkOS, n: number, options: LifecycleOptions = {}): StoredEvent[] {
  const factoryOptions: EventFactoryOptions = { profile: 'lifecycle' };
  if (options.legacyDirectoryDeletes !== undefined) factoryOptions.legacyDirectoryDeletes = options.legacyDirectoryDeletes;
  const factory = options.factory ?? createEventFactory(options.seed ?? 1, factoryOptions);
  const newestMs = fake.events.length > 0 ? Date.parse(fake.events.at(-1)?.created_at ?? '') : Number.NEGATIVE_INFINITY;
  const startMs = options.start === undefined ? Math.max(fake.now().getTime(), newestMs) : new Date(options.start).getTime();
  if (Number.isNaN(startMs)) throw new TypeError(`invalid start: ${String(options.start)}`);
  const spacingMs = options.spacingMs ?? (options.start === undefined ? 0 : 1000);
  const added: StoredEvent[] = [];
  for (let i = 0; i < n; i++) {
    const createdAt = new Date(startMs + i * spacingMs);
    const generated = factory.next(createdAt);
    added.push(
      fake.addEvent(generated.type, generated.data, {
        createdAt,
        ...(generated.organizationId ? { organizationId: generated.organizationId } : {}),
      }),
    );
  }
  return added;
}
