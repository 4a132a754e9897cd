import { describe, expect, it } from 'vitest';
import { CursorMemory } from '../../../src/cursor/cursor-memory.js';

const at = (id: string | null, createdAt: string | null, events: string[] = []) => ({ id, createdAt, filter: { events, organizationId: null } });

describe('the cursor memory', () => {
  it('keeps the freshest position seen per sink, never an older one read later', () => {
    const memory = new CursorMemory();
    expect(memory.latest).toBeNull();
    memory.rememberSink('a', at('event_2', '2026-01-01T00:00:02Z'));
    memory.rememberSink('a', at('event_1', '2026-01-01T00:00:01Z'));
    memory.rememberSink('b', at('event_1', '2026-01-01T00:00:01Z'));
    expect(memory.latest?.sinks?.get('a')?.id).toBe('event_2');
    expect(memory.latest?.sinks?.get('b')?.id).toBe('event_1');
    memory.remember({ deployment: at('event_3', '2026-01-01T00:00:03.000Z'), sinks: new Map([['a', at('event_3', '2026-01-01T00:00:03.000Z')]]) });
    expect(memory.latest?.sinks?.get('a')?.id).toBe('event_3');
    expect(memory.latest?.deployment?.id).toBe('event_3');
  });

  it('takes the newer sighting of the same position, so an accepted filter change is kept', () => {
    const memory = new CursorMemory();
    memory.rememberDeployment(at('event_3', '2026-01-01T00:00:03Z', ['user.created']));
    memory.rememberDeployment(at('event_3', '2026-01-01T00:00:03Z', ['dsync.user.created']));
    expect(memory.latest?.deployment?.filter?.events).toEqual(['dsync.user.created']);
  });

  it('takes the store at its word for a cursor set by hand without a time', () => {
    const memory = new CursorMemory();
    memory.rememberDeployment(at('event_3', '2026-01-01T00:00:03Z'));
    memory.rememberDeployment(at('event_1', null));
    expect(memory.latest?.deployment?.id).toBe('event_1');
  });

  it('remembers a store written before per-sink positions as such', () => {
    const memory = new CursorMemory();
    memory.remember({ deployment: at('event_3', '2026-01-01T00:00:03Z'), sinks: undefined });
    expect(memory.latest).toEqual({ deployment: at('event_3', '2026-01-01T00:00:03Z'), sinks: undefined });
  });
});
