import { createEventIdGenerator } from './event-ids.js';

/** An event exactly as GET /events serialises it. */
export interface StoredEvent {
  readonly object: 'event';
  /** `event_` + 26 Crockford characters; ids sort in creation order. */
  readonly id: string;
  readonly event: string;
  readonly data: Record<string, unknown>;
  /** ISO-8601 with milliseconds and `Z`. */
  readonly created_at: string;
  readonly context?: Record<string, unknown>;
}

export interface AppendInput {
  type: string;
  data: Record<string, unknown>;
  createdAtMs: number;
  organizationId?: string | undefined;
  context?: Record<string, unknown> | undefined;
}

/**
 * The fake's event log: append-only in creation order (created_at never decreases), with an id
 * index so that paging with `after` stays O(page) even on large backlogs.
 */
export class EventStore {
  readonly #events: StoredEvent[] = [];
  readonly #times: number[] = [];
  readonly #organizations: (string | undefined)[] = [];
  readonly #positions = new Map<string, number>();
  readonly #nextId: (timeMs: number) => string;

  constructor(random?: () => number) {
    this.#nextId = createEventIdGenerator(random);
  }

  get events(): readonly StoredEvent[] {
    return this.#events;
  }

  get size(): number {
    return this.#events.length;
  }

  get lastCreatedAtMs(): number | undefined {
    return this.#times.at(-1);
  }

  append(input: AppendInput): StoredEvent {
    const last = this.lastCreatedAtMs;
    if (last !== undefined && input.createdAtMs < last) {
      throw new RangeError(
        `created_at ${iso(input.createdAtMs)} is older than the newest event (${iso(last)}): the log is kept in creation order`,
      );
    }
    // A private copy: a test mutating its input afterwards must not rewrite history.
    const data = structuredClone(input.data);
    const event: StoredEvent = {
      object: 'event',
      id: this.#nextId(input.createdAtMs),
      event: input.type,
      data,
      created_at: iso(input.createdAtMs),
      ...(input.context ? { context: structuredClone(input.context) } : {}),
    };
    this.#positions.set(event.id, this.#events.length);
    this.#events.push(event);
    this.#times.push(input.createdAtMs);
    this.#organizations.push(input.organizationId ?? deriveOrganizationId(input.type, data));
    return event;
  }

  /** Position of an event id in the log, or -1 when unknown (never stored, or expired). */
  indexOf(id: string): number {
    return this.#positions.get(id) ?? -1;
  }

  eventAt(index: number): StoredEvent {
    const event = this.#events[index];
    if (!event) throw new RangeError(`no event at index ${index}`);
    return event;
  }

  createdAtMsAt(index: number): number {
    return this.#times[index] ?? Number.NaN;
  }

  organizationIdAt(index: number): string | undefined {
    return this.#organizations[index];
  }

  /** First index whose created_at is >= timeMs (size when none): the log is sorted by time. */
  firstIndexAtOrAfter(timeMs: number): number {
    let low = 0;
    let high = this.#times.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#times[mid] ?? Infinity) < timeMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Drops events created before timeMs, as retention does; returns how many were dropped. */
  removeBefore(timeMs: number): number {
    const count = this.firstIndexAtOrAfter(timeMs);
    if (count === 0) return 0;
    this.#events.splice(0, count);
    this.#times.splice(0, count);
    this.#organizations.splice(0, count);
    this.#positions.clear();
    this.#events.forEach((event, index) => this.#positions.set(event.id, index));
    return count;
  }
}

/**
 * The organization an event is tied to, for the `organization_id` filter: the object's own
 * `organization_id`, the id of an `organization.*` object, or that of a nested object
 * (`dsync.group.user_added` carries `user`/`group`, `authentication.sso_*` carries `sso`).
 */
export function deriveOrganizationId(type: string, data: Record<string, unknown>): string | undefined {
  if (type.startsWith('organization.')) return stringOrUndefined(data['id']);
  const own = stringOrUndefined(data['organization_id']);
  if (own) return own;
  for (const key of ['sso', 'user', 'group', 'organization_domain']) {
    const nested = data[key];
    if (nested && typeof nested === 'object') {
      const id = stringOrUndefined((nested as Record<string, unknown>)['organization_id']);
      if (id) return id;
    }
  }
  return undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function iso(timeMs: number): string {
  return new Date(timeMs).toISOString();
}
