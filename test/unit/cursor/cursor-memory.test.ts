import { describe, expect, it } from 'vitest';
import { CursorMemory } from '../../../src/cursor/cursor-memory.js';

const at = (id: string | null, createdAt: string | null, events: string[] = []) => ({ id, createdAt, filter: { events, organizationId: null } });

describe('the cursor memory', () => {
  it('keeps the freshest cursor seen, never an older one read later', () => {
    const memory = new CursorMemory();
    expect(memory.latest).toBeNull();
    memory.remember(null);
    expect(memory.latest).toBeNull();
    memory.remember(at('event_2', '2026-01-01T00:00:02Z'));
    memory.remember(at('event_1', '2026-01-01T00:00:01Z'));
    expect(memory.latest?.id).toBe('event_2');
    memory.remember(at('event_3', '2026-01-01T00:00:03.000Z'));
    expect(memory.latest?.id).toBe('event_3');
  });

  it('takes the newer sighting of the same position, so an accepted filter change is kept', () => {
    const memory = new CursorMemory();
    memory.remember(at('event_3', '2026-01-01T00:00:03Z', ['user.created']));
    memory.remember(at('event_3', '2026-01-01T00:00:03Z', ['dsync.user.created']));
    expect(memory.latest?.filter?.events).toEqual(['dsync.user.created']);
  });

  it('takes the store at its word for a cursor set by hand without a time', () => {
    const memory = new CursorMemory();
    memory.remember(at('event_3', '2026-01-01T00:00:03Z'));
    memory.remember(at('event_1', null));
    expect(memory.latest?.id).toBe('event_1');
  });
});
