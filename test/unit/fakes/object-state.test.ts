import { describe, expect, it } from 'vitest';
import { ObjectState, objectIdOf, routeEventType, type ListQuery, type StateObject } from '../../fakes/object-state.js';

let serial = 0;
function at(second: number): string {
  return new Date(Date.parse('2026-02-01T00:00:00.000Z') + second * 1000).toISOString();
}
function apply(state: ObjectState, type: string, data: Record<string, unknown>, createdAt = at(serial)): void {
  serial++;
  state.apply({ id: `event_${String(serial).padStart(6, '0')}`, event: type, data, created_at: createdAt });
}
const ids = (objects: readonly StateObject[]): unknown[] => objects.map((o) => o['id']);
const q = (query: Partial<ListQuery> = {}): ListQuery => ({ order: 'asc', limit: 10, ...query });

function user(id: string, second: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { object: 'user', id, email: `${id}@example.com`, created_at: at(second), updated_at: at(second), ...extra };
}

describe('the object state', () => {
  it('routes event types as the mirror spec says, and ignores the rest', () => {
    expect(routeEventType('organization_domain.verification_failed')).toEqual({ kind: 'organization_domains', action: 'upsert' });
    expect(routeEventType('connection.deactivated')).toEqual({ kind: 'connections', action: 'upsert' });
    expect(routeEventType('dsync.deleted')).toEqual({ kind: 'directories', action: 'delete' });
    expect(routeEventType('dsync.group.user_removed')).toEqual({ kind: 'directory_group_memberships', action: 'delete' });
    expect(routeEventType('session.created')).toBeUndefined();
    expect(routeEventType('dsync.token.created')).toBeUndefined();
    expect(objectIdOf('directory_group_memberships', { user: { id: 'du_1' }, group: { id: 'dg_1' } })).toBe('dg_1:du_1');
    const state = new ObjectState();
    expect(state.apply({ id: 'e1', event: 'session.created', data: { id: 'session_1' }, created_at: at(0) })).toBeUndefined();
    expect(state.apply({ id: 'e2', event: 'user.created', data: { object: 'user' }, created_at: at(0) })).toBeUndefined();
    expect(state.apply({ id: 'e3', event: 'dsync.group.user_added', data: { directory_id: 'd' }, created_at: at(0) })).toBeUndefined();
    expect(state.size('users')).toBe(0);
  });

  it('follows creates, updates and deletes, keeping the latest data and the listing position', () => {
    const state = new ObjectState();
    apply(state, 'user.created', user('user_a', 1));
    apply(state, 'user.created', user('user_b', 2));
    apply(state, 'user.updated', user('user_a', 1, { first_name: 'Ada', updated_at: at(5) }));
    expect(ids(state.list('users'))).toEqual(['user_a', 'user_b']);
    expect(state.get('users', 'user_a')).toMatchObject({ first_name: 'Ada', updated_at: at(5) });
    expect(state.lastEventOf('users', 'user_a')).toMatchObject({ type: 'user.updated' });

    apply(state, 'user.deleted', user('user_a', 1, { updated_at: at(6) }));
    expect(ids(state.list('users'))).toEqual(['user_b']);
    expect(state.has('users', 'user_a')).toBe(false);
    expect(state.isDeleted('users', 'user_a')).toBe(true);
    expect(state.deletedIds('users')).toEqual(['user_a']);
    expect(state.lastEventOf('users', 'user_a')).toBeUndefined();
    // A delete of an unknown id changes nothing.
    apply(state, 'user.deleted', user('user_zz', 1));
    expect(state.deletedIds('users')).toEqual(['user_a']);
  });

  it('removes and re-adds group memberships, listed by when they were added', () => {
    const state = new ObjectState();
    const du = { object: 'directory_user', id: 'du_1', directory_id: 'dir_1', created_at: at(0), updated_at: at(0) };
    const dg = { object: 'directory_group', id: 'dg_1', directory_id: 'dir_1', created_at: at(0), updated_at: at(0) };
    const dg2 = { ...dg, id: 'dg_2' };
    apply(state, 'dsync.group.user_added', { directory_id: 'dir_1', user: du, group: dg }, at(10));
    apply(state, 'dsync.group.user_added', { directory_id: 'dir_1', user: du, group: dg2 }, at(11));
    expect(ids(state.list('directory_group_memberships'))).toEqual([undefined, undefined]);
    expect(state.list('directory_group_memberships').map((m) => (m['group'] as { id: string }).id)).toEqual(['dg_1', 'dg_2']);
    apply(state, 'dsync.group.user_removed', { directory_id: 'dir_1', user: du, group: dg }, at(12));
    expect(state.has('directory_group_memberships', 'dg_1:du_1')).toBe(false);
    expect(state.isDeleted('directory_group_memberships', 'dg_1:du_1')).toBe(true);
    apply(state, 'dsync.group.user_added', { directory_id: 'dir_1', user: { ...du, updated_at: at(13) }, group: dg }, at(13));
    expect(state.isDeleted('directory_group_memberships', 'dg_1:du_1')).toBe(false);
    expect(state.get('directory_group_memberships', 'dg_1:du_1')).toMatchObject({ user: { updated_at: at(13) } });
    // Re-added later: now listed after dg_2's.
    expect(state.list('directory_group_memberships').map((m) => (m['group'] as { id: string }).id)).toEqual(['dg_2', 'dg_1']);
  });

  it('lists by created_at then id, whatever order the objects arrived in', () => {
    const state = new ObjectState();
    apply(state, 'organization.created', { object: 'organization', id: 'org_c', created_at: at(3) });
    apply(state, 'organization.created', { object: 'organization', id: 'org_b', created_at: at(1) });
    apply(state, 'organization.created', { object: 'organization', id: 'org_a', created_at: at(3) });
    // No created_at: the time of the event that first brought it.
    apply(state, 'organization.created', { object: 'organization', id: 'org_0' }, at(2));
    apply(state, 'organization.updated', { object: 'organization', id: 'org_0', name: 'x' }, at(9));
    expect(ids(state.list('organizations'))).toEqual(['org_b', 'org_0', 'org_a', 'org_c']);
  });

  describe('pagination', () => {
    const state = new ObjectState();
    for (let i = 0; i < 25; i++) apply(state, 'user.created', user(`user_${String(i).padStart(2, '0')}`, i));
    const all = ids(state.list('users'));
    const name = (i: number): string => `user_${String(i).padStart(2, '0')}`;

    it('pages forwards in both orders with after, ending with a null cursor', () => {
      for (const order of ['asc', 'desc'] as const) {
        const seen: unknown[] = [];
        let after: string | undefined;
        let pages = 0;
        for (;;) {
          const page = state.page('users', {}, q({ order, limit: 10, after }));
          pages++;
          seen.push(...ids(page.data));
          expect(page.before).toBe(pages === 1 ? null : page.data[0]?.['id']);
          if (page.after === null) break;
          expect(page.after).toBe(page.data.at(-1)?.['id']);
          after = page.after;
        }
        expect(pages).toBe(3);
        expect(seen).toEqual(order === 'asc' ? all : [...all].reverse());
      }
    });

    it('answers a full last page with a null after, and an empty page after the last object', () => {
      const last = state.page('users', {}, q({ after: name(14), limit: 10 }));
      expect(ids(last.data)).toEqual(all.slice(15));
      expect(last.after).toBeNull();
      expect(state.page('users', {}, q({ after: name(24) }))).toEqual({ data: [], before: null, after: null });
    });

    it('pages backwards with before: the limit objects just before it, in listing order', () => {
      const asc = state.page('users', {}, q({ before: name(12), limit: 5 }));
      expect(ids(asc.data)).toEqual(all.slice(7, 12));
      expect(asc).toMatchObject({ before: name(7), after: name(11) });
      const desc = state.page('users', {}, q({ order: 'desc', before: name(12), limit: 5 }));
      expect(ids(desc.data)).toEqual([name(17), name(16), name(15), name(14), name(13)]);
      expect(desc).toMatchObject({ before: name(17), after: name(13) });
      const first = state.page('users', {}, q({ before: name(3), limit: 5 }));
      expect(ids(first.data)).toEqual(all.slice(0, 3));
      expect(first.before).toBeNull();
    });

    it('bounds the window with both after and before', () => {
      const page = state.page('users', {}, q({ after: name(3), before: name(9), limit: 3 }));
      expect(ids(page.data)).toEqual([name(4), name(5), name(6)]);
    });

    it('keeps a cursor working after its object is deleted, and ignores an unknown one', () => {
      const local = new ObjectState();
      for (let i = 0; i < 6; i++) apply(local, 'user.created', user(name(i), i));
      apply(local, 'user.deleted', user(name(2), 2));
      expect(ids(local.page('users', {}, q({ after: name(2) })).data)).toEqual([name(3), name(4), name(5)]);
      expect(ids(local.page('users', {}, q({ after: 'user_unknown', limit: 2 })).data)).toEqual([name(0), name(1)]);
    });
  });

  describe('filters', () => {
    const state = new ObjectState();
    apply(state, 'user.created', user('user_1', 1, { email: 'Ada@Acme.com' }));
    apply(state, 'user.created', user('user_2', 2));
    apply(state, 'user.created', user('user_3', 3));
    const membership = (id: string, userId: string, orgId: string, second: number): Record<string, unknown> => ({
      object: 'organization_membership', id, user_id: userId, organization_id: orgId, status: 'active', role: { slug: 'member' }, created_at: at(second), updated_at: at(second),
    });
    apply(state, 'organization_membership.created', membership('om_1', 'user_3', 'org_A', 10));
    apply(state, 'organization_membership.created', membership('om_2', 'user_1', 'org_A', 11));
    apply(state, 'organization_membership.created', membership('om_3', 'user_1', 'org_B', 12));
    apply(state, 'organization_membership.created', membership('om_4', 'user_2', 'org_B', 13));
    apply(state, 'organization_membership.deleted', membership('om_4', 'user_2', 'org_B', 13));

    it('filters memberships by organization, user, or both', () => {
      expect(ids(state.page('organization_memberships', { organizationId: 'org_A' }, q()).data)).toEqual(['om_1', 'om_2']);
      expect(ids(state.page('organization_memberships', { userId: 'user_1' }, q()).data)).toEqual(['om_2', 'om_3']);
      expect(ids(state.page('organization_memberships', { organizationId: 'org_B', userId: 'user_1' }, q()).data)).toEqual(['om_3']);
      expect(ids(state.page('organization_memberships', { organizationId: 'org_B' }, q()).data)).toEqual(['om_3']);
      expect(ids(state.page('organization_memberships', { organizationId: 'org_none' }, q()).data)).toEqual([]);
    });

    it('filters users by organization (through live memberships) and by email, case-insensitively', () => {
      expect(ids(state.page('users', { organizationId: 'org_A' }, q()).data)).toEqual(['user_1', 'user_3']);
      expect(ids(state.page('users', { organizationId: 'org_B' }, q()).data)).toEqual(['user_1']);
      expect(ids(state.page('users', { email: 'ada@acme.COM' }, q()).data)).toEqual(['user_1']);
      expect(ids(state.page('users', { email: 'ada@acme.com', organizationId: 'org_B' }, q()).data)).toEqual(['user_1']);
      expect(ids(state.page('users', { email: 'user_3@example.com', organizationId: 'org_B' }, q()).data)).toEqual([]);
      const paged = state.page('users', { organizationId: 'org_A' }, q({ order: 'desc', limit: 1 }));
      expect(paged).toMatchObject({ before: null, after: 'user_3' });
      expect(ids(state.page('users', { organizationId: 'org_A' }, q({ order: 'desc', after: 'user_3' })).data)).toEqual(['user_1']);
    });

    it('filters directory users by directory and group, groups by directory and user', () => {
      const s = new ObjectState();
      const du = (id: string, dir: string, second: number) => ({ object: 'directory_user', id, directory_id: dir, created_at: at(second), updated_at: at(second) });
      const dg = (id: string, dir: string, second: number) => ({ object: 'directory_group', id, directory_id: dir, created_at: at(second), updated_at: at(second) });
      const users = [du('du_1', 'dir_1', 1), du('du_2', 'dir_1', 2), du('du_3', 'dir_2', 3)];
      const groups = [dg('dg_1', 'dir_1', 4), dg('dg_2', 'dir_1', 5), dg('dg_3', 'dir_2', 6)];
      for (const u of users) apply(s, 'dsync.user.created', u);
      for (const g of groups) apply(s, 'dsync.group.created', g);
      const add = (u: number, g: number): void =>
        apply(s, 'dsync.group.user_added', { directory_id: users[u]?.directory_id, user: users[u], group: groups[g] });
      add(1, 0);
      add(0, 0);
      add(0, 1);
      add(2, 2);
      apply(s, 'dsync.group.user_removed', { directory_id: 'dir_1', user: users[0], group: groups[1] });
      expect(ids(s.page('directory_users', { directoryId: 'dir_1' }, q()).data)).toEqual(['du_1', 'du_2']);
      expect(ids(s.page('directory_users', { groupId: 'dg_1' }, q()).data)).toEqual(['du_1', 'du_2']);
      expect(ids(s.page('directory_users', { groupId: 'dg_2' }, q()).data)).toEqual([]);
      expect(ids(s.page('directory_users', { groupId: 'dg_1', directoryId: 'dir_2' }, q()).data)).toEqual([]);
      expect(ids(s.page('directory_groups', { directoryUserId: 'du_1' }, q()).data)).toEqual(['dg_1']);
      expect(ids(s.page('directory_groups', { directoryId: 'dir_2' }, q()).data)).toEqual(['dg_3']);

      // A deleted user leaves its groups' listings, and takes its group memberships along.
      apply(s, 'dsync.user.deleted', users[1] as Record<string, unknown>);
      expect(ids(s.page('directory_users', { groupId: 'dg_1' }, q()).data)).toEqual(['du_1']);
      expect(s.isDeleted('directory_group_memberships', 'dg_1:du_2')).toBe(true);

      // WorkOS sends a sole dsync.deleted: the directory's users, groups and memberships go too.
      apply(s, 'dsync.activated', { object: 'directory', id: 'dir_1', organization_id: 'org_A', created_at: at(0) });
      const applied = s.apply({ id: 'event_x', event: 'dsync.deleted', data: { object: 'directory', id: 'dir_1', state: 'deleting' }, created_at: at(99) });
      expect(applied?.cascaded).toEqual([
        { kind: 'directory_group_memberships', id: 'dg_1:du_1' },
        { kind: 'directory_users', id: 'du_1' },
        { kind: 'directory_groups', id: 'dg_1' },
        { kind: 'directory_groups', id: 'dg_2' },
      ]);
      expect(ids(s.list('directory_users'))).toEqual(['du_3']);
      expect(ids(s.list('directory_groups'))).toEqual(['dg_3']);
      expect(s.size('directory_group_memberships')).toBe(1);
      expect(s.size('directories')).toBe(0);
    });

    it('filters organization-owned kinds by organization', () => {
      const s = new ObjectState();
      apply(s, 'connection.activated', { object: 'connection', id: 'conn_1', organization_id: 'org_A', created_at: at(1) });
      apply(s, 'connection.activated', { object: 'connection', id: 'conn_2', organization_id: 'org_B', created_at: at(2) });
      apply(s, 'dsync.activated', { object: 'directory', id: 'dir_1', organization_id: 'org_B', created_at: at(3) });
      apply(s, 'organization_domain.created', { object: 'organization_domain', id: 'd_1', organization_id: 'org_B', created_at: at(4) });
      expect(ids(s.page('connections', { organizationId: 'org_B' }, q()).data)).toEqual(['conn_2']);
      expect(ids(s.page('connections', {}, q()).data)).toEqual(['conn_1', 'conn_2']);
      expect(ids(s.page('directories', { organizationId: 'org_A' }, q()).data)).toEqual([]);
      expect(ids(s.page('organization_domains', { organizationId: 'org_B' }, q()).data)).toEqual(['d_1']);
    });
  });
});
