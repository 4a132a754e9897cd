import { createEventFactory, type EventFactory } from './event-factory.js';
import type { FakeWorkOS, StoredEvent } from './fake-workos.js';

export interface SeedBacklogOptions {
  /** Seed of the default factory; default 1. Ignored when `factory` is given. */
  seed?: number;
  /** Continue an existing factory's sequence instead of starting a new one. */
  factory?: EventFactory;
  /** created_at of the first event; default: the fake's clock for every event. */
  start?: Date | string;
  /** Gap between consecutive created_at when `start` is given, in ms; default 1000. */
  spacingMs?: number;
}

/**
 * Adds n realistic events to the fake, with created_at spread from `start` by `spacingMs`
 * (several events may share a millisecond when spacingMs is 0, as on the real API).
 */
export function seedBacklog(fake: FakeWorkOS, n: number, options: SeedBacklogOptions = {}): StoredEvent[] {
  const factory = options.factory ?? createEventFactory(options.seed ?? 1);
  const startMs = options.start === undefined ? undefined : new Date(options.start).getTime();
  const spacingMs = options.spacingMs ?? 1000;
  const added: StoredEvent[] = [];
  for (let i = 0; i < n; i++) {
    const createdAt = startMs === undefined ? undefined : new Date(startMs + i * spacingMs);
    const generated = factory.next(createdAt ?? fake.now());
    added.push(
      fake.addEvent(generated.type, generated.data, {
        ...(createdAt ? { createdAt } : {}),
        ...(generated.organizationId ? { organizationId: generated.organizationId } : {}),
      }),
    );
  }
  return added;
}
