import { describe, expect, it } from 'vitest';
import { WORKOS_EVENT_TYPES } from '../../fakes/event-catalog.js';
import { createEventFactory, FUTURE_EVENT_TYPES, type EventFactoryOptions, type GeneratedEvent } from '../../fakes/event-factory.js';
import { ROUTED_EVENT_TYPES } from '../../fakes/object-state.js';

const ID_PREFIX: Record<string, RegExp> = {
  organization: /^org_[0-9A-Z]{26}$/,
  user: /^user_[0-9A-Z]{26}$/,
  organization_membership: /^om_[0-9A-Z]{26}$/,
  organization_domain: /^org_domain_[0-9A-Z]{26}$/,
  directory: /^directory_[0-9A-Z]{26}$/,
  directory_user: /^directory_user_[0-9A-Z]{26}$/,
  directory_group: /^directory_group_[0-9A-Z]{26}$/,
  connection: /^conn_[0-9A-Z]{26}$/,
  session: /^session_[0-9A-Z]{26}$/,
};

describe('the event factory', () => {
  it('yields the same sequence for the same seed and another for another seed', () => {
    const take = (seed: number) => {
      const factory = createEventFactory(seed);
      return Array.from({ length: 50 }, () => factory.next());
    };
    expect(take(3)).toEqual(take(3));
    expect(take(3)).not.toEqual(take(4));
  });

  it('mixes the expected types, with about 2% future types', () => {
    const factory = createEventFactory(1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const { type } = factory.next();
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    for (const type of [
      'organization.created',
      'organization.updated',
      'organization_domain.verified',
      'user.created',
      'user.updated',
      'user.deleted',
      'organization_membership.created',
      'dsync.activated',
      'dsync.user.created',
      'dsync.user.updated',
      'dsync.user.deleted',
      'dsync.group.created',
      'dsync.group.user_added',
      'connection.activated',
      'authentication.sso_succeeded',
      'session.created',
    ]) {
      expect(counts.get(type), type).toBeGreaterThan(0);
    }
    const future = FUTURE_EVENT_TYPES.reduce((sum, type) => sum + (counts.get(type) ?? 0), 0);
    expect(future / 5000).toBeGreaterThan(0.01);
    expect(future / 5000).toBeLessThan(0.03);
    for (const type of FUTURE_EVENT_TYPES) expect(WORKOS_EVENT_TYPES).not.toContain(type);
  });

  it('builds objects with WorkOS id prefixes, timestamps stamped at the given time and an organization', () => {
    const factory = createEventFactory(2);
    const at = new Date('2026-04-01T08:00:00.000Z');
    for (let i = 0; i < 500; i++) {
      const { type, data, organizationId } = factory.next(at);
      const object = data['object'];
      if (typeof object === 'string' && ID_PREFIX[object]) expect(data['id']).toMatch(ID_PREFIX[object]);
      if ('created_at' in data) expect(data['created_at']).toBe(at.toISOString());
      // A change of an object created at the same instant moves its updated_at 1 ms on.
      if ('updated_at' in data) expect(Date.parse(data['updated_at'] as string)).toBeGreaterThanOrEqual(at.getTime());
      if (type.startsWith('dsync.') || type.startsWith('organization')) expect(organizationId).toMatch(/^org_/);
      if (type === 'dsync.user.created') {
        expect(data).toMatchObject({ directory_id: expect.stringMatching(/^directory_/), state: 'active', email: expect.stringContaining('@') });
      }
    }
  });
});

type Json = Record<string, unknown>;

/** Generates n events, one second apart (or all at one instant with `sameInstant`). */
function generate(n: number, seed: number, options: EventFactoryOptions = {}, sameInstant = false): GeneratedEvent[] {
  const factory = createEventFactory(seed, options);
  const start = Date.parse('2026-03-01T00:00:00.000Z');
  return Array.from({ length: n }, (_, i) => factory.next(new Date(sameInstant ? start : start + i * 1000)));
}

const KIND_OF_PREFIX: [string, string][] = [
  ['organization_domain.', 'organization_domain'],
  ['organization_membership.', 'organization_membership'],
  ['organization.', 'organization'],
  ['user.', 'user'],
  ['connection.', 'connection'],
  ['dsync.user.', 'directory_user'],
  ['dsync.group.user_', 'group_membership'],
  ['dsync.group.', 'directory_group'],
  ['dsync.', 'directory'],
];
const kindOf = (type: string): string | undefined => KIND_OF_PREFIX.find(([prefix]) => type.startsWith(prefix))?.[1];
const isDelete = (type: string): boolean => type.endsWith('.deleted') || type === 'dsync.group.user_removed';
const objectAt = (data: Json, key: string): Json => data[key] as Json;

/**
 * Checks the lifecycle rules on a generated stream: created_at never changes, updated_at grows
 * with each change, a deleted object (explicitly, or with its directory) is never seen again,
 * and every object an event refers to is live (group memberships may come back).
 */
function checkLifecycle(events: GeneratedEvent[]): { implicitDirectoryDeletes: number } {
  const seen = new Map<string, { created: unknown; updated: number; kind: string }>();
  const deleted = new Set<string>();
  const members = new Set<string>();
  const directoryOf = new Map<string, string>();
  let implicitDirectoryDeletes = 0;
  const live = (id: unknown, what: string): void => {
    expect(typeof id, what).toBe('string');
    expect(deleted.has(id as string), `${what} ${String(id)} was deleted`).toBe(false);
  };
  const track = (kind: string, data: Json, type: string, index: number): void => {
    const id = data['id'] as string;
    live(id, `${type} #${index}`);
    const updated = Date.parse(data['updated_at'] as string);
    const before = seen.get(id);
    if (before) {
      expect(data['created_at'], `${type} #${index} created_at of ${id}`).toBe(before.created);
      expect(updated, `${type} #${index} updated_at of ${id}`).toBeGreaterThan(before.updated);
      expect(before.kind).toBe(kind);
    } else {
      expect(type, `first event of ${id}`).toMatch(/\.created$|^dsync\.activated$|^connection\.activated$/);
    }
    seen.set(id, { created: data['created_at'], updated, kind });
  };

  events.forEach(({ type, data: eventData }, index) => {
    const kind = kindOf(type);
    if (!kind) return;
    // WorkOS wraps the domain of a failed verification: { reason, organization_domain }.
    const data = type === 'organization_domain.verification_failed' ? objectAt(eventData, 'organization_domain') : eventData;
    if (kind === 'group_membership') {
      const user = objectAt(data, 'user');
      const group = objectAt(data, 'group');
      expect(Object.keys(data).sort()).toEqual(['directory_id', 'group', 'user']);
      expect(user['object']).toBe('directory_user');
      expect(group['object']).toBe('directory_group');
      expect(user['directory_id']).toBe(data['directory_id']);
      expect(group['directory_id']).toBe(data['directory_id']);
      live(user['id'], `${type} #${index} user`);
      live(group['id'], `${type} #${index} group`);
      live(data['directory_id'], `${type} #${index} directory`);
      const pair = `${String(group['id'])}:${String(user['id'])}`;
      if (type.endsWith('user_added')) {
        expect(members.has(pair), `${pair} added twice`).toBe(false);
        members.add(pair);
      } else {
        expect(members.delete(pair), `${pair} removed but not a member`).toBe(true);
      }
      return;
    }
    track(kind, data, type, index);
    if (kind === 'organization_membership') {
      live(data['user_id'], `${type} #${index} user_id`);
      live(data['organization_id'], `${type} #${index} organization_id`);
      expect(data['role']).toEqual({ slug: expect.any(String) });
      expect(['active', 'inactive', 'pending']).toContain(data['status']);
    }
    if (['organization_domain', 'connection', 'directory'].includes(kind)) live(data['organization_id'], `${type} #${index} organization`);
    if (kind === 'directory_user' || kind === 'directory_group') {
      live(data['directory_id'], `${type} #${index} directory`);
      directoryOf.set(data['id'] as string, data['directory_id'] as string);
    }
    if (!isDelete(type)) return;
    deleted.add(data['id'] as string);
    if (kind === 'directory') {
      // WorkOS: a sole dsync.deleted also deletes the directory's users and groups.
      for (const [child, directory] of directoryOf) {
        if (directory !== data['id'] || deleted.has(child)) continue;
        deleted.add(child);
        implicitDirectoryDeletes++;
      }
      for (const pair of [...members]) {
        const [group] = pair.split(':');
        if (directoryOf.get(group ?? '') === data['id']) members.delete(pair);
      }
    }
  });
  return { implicitDirectoryDeletes };
}

describe('the event factory lifecycle', () => {
  it('emits every type the mirror routes, deterministically by seed', () => {
    const events = generate(5000, 5, { profile: 'lifecycle' });
    const types = new Set(events.map((e) => e.type));
    for (const type of ROUTED_EVENT_TYPES) expect(types, type).toContain(type);
    const deletes = events.filter((e) => isDelete(e.type)).length;
    expect(deletes / events.length).toBeGreaterThan(0.1);
    const ignored = events.filter((e) => !kindOf(e.type)).length;
    expect(ignored / events.length).toBeGreaterThan(0.02);
    expect(ignored / events.length).toBeLessThan(0.1);
    expect(generate(300, 5, { profile: 'lifecycle' })).toEqual(events.slice(0, 300));
  });

  it('keeps created_at, moves updated_at forward, never revives a deleted object (lifecycle profile)', () => {
    const { implicitDirectoryDeletes } = checkLifecycle(generate(5000, 6, { profile: 'lifecycle' }));
    expect(implicitDirectoryDeletes).toBeGreaterThan(0);
  });

  it('keeps the same rules in the default mix, and when every event shares one instant', () => {
    checkLifecycle(generate(5000, 7));
    checkLifecycle(generate(3000, 8, { profile: 'lifecycle' }, true));
  });

  it('re-adds group members after their removal', () => {
    const events = generate(5000, 9, { profile: 'lifecycle' });
    const removed = new Set<string>();
    let readded = 0;
    for (const { type, data } of events) {
      if (!type.startsWith('dsync.group.user_')) continue;
      const pair = `${String(objectAt(data, 'group')['id'])}:${String(objectAt(data, 'user')['id'])}`;
      if (type.endsWith('removed')) removed.add(pair);
      else if (removed.delete(pair)) readded++;
    }
    expect(readded).toBeGreaterThan(0);
  });

  it('with legacyDirectoryDeletes, deletes every user and group of a directory before dsync.deleted', () => {
    const events = generate(5000, 6, { profile: 'lifecycle', legacyDirectoryDeletes: true });
    expect(checkLifecycle(events).implicitDirectoryDeletes).toBe(0);
    expect(events.some((e) => e.type === 'dsync.deleted')).toBe(true);
  });

  it('deletes an organization after its children, one event each', () => {
    const events = generate(5000, 10, { profile: 'lifecycle' });
    const index = events.findIndex((e) => e.type === 'organization.deleted');
    expect(index).toBeGreaterThan(0);
    const orgId = events[index]?.data['id'];
    const children = events.slice(0, index).filter((e) => e.organizationId === orgId && e.type !== 'organization.updated');
    const live = new Map<string, string>();
    for (const { type, data } of children) {
      const kind = kindOf(type);
      if (!kind || kind === 'organization' || kind === 'group_membership') continue;
      if (isDelete(type)) live.delete(data['id'] as string);
      else live.set(data['id'] as string, kind);
    }
    // Only the directory's users and groups may remain: a sole dsync.deleted removes them.
    expect([...new Set(live.values())].filter((kind) => kind !== 'directory_user' && kind !== 'directory_group')).toEqual([]);
  });
});
