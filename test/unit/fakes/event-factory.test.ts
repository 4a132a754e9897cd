import { describe, expect, it } from 'vitest';
import { WORKOS_EVENT_TYPES } from '../../fakes/event-catalog.js';
import { createEventFactory, FUTURE_EVENT_TYPES } from '../../fakes/event-factory.js';

const ID_PREFIX: Record<string, RegExp> = {
  organization: /^org_[0-9A-Z]{26}$/,
  user: /^user_[0-9A-Z]{26}$/,
  organization_membership: /^om_[0-9A-Z]{26}$/,
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
      if ('updated_at' in data) expect(data['updated_at']).toBe(at.toISOString());
      if (type.startsWith('dsync.') || type.startsWith('organization')) expect(organizationId).toMatch(/^org_/);
      if (type === 'dsync.user.created') {
        expect(data).toMatchObject({ directory_id: expect.stringMatching(/^directory_/), state: 'active', email: expect.stringContaining('@') });
      }
    }
  });
});
