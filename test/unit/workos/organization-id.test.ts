import { describe, expect, it } from 'vitest';
import { organizationIdOf, type WorkOSEvent } from '../../../src/workos/event.js';

const ev = (event: string, data: Record<string, unknown>): WorkOSEvent => ({ id: 'event_1', event, data, created_at: '2026-01-01T00:00:00Z' });

describe('organizationIdOf', () => {
  it('reads the organization itself, a data.organization_id, or a nested object\'s', () => {
    expect(organizationIdOf(ev('organization.updated', { object: 'organization', id: 'org_1' }))).toBe('org_1');
    expect(organizationIdOf(ev('organization_membership.created', { id: 'om_1', organization_id: 'org_2' }))).toBe('org_2');
    expect(organizationIdOf(ev('authentication.sso_succeeded', { sso: { organization_id: 'org_3' } }))).toBe('org_3');
    expect(organizationIdOf(ev('user.created', { object: 'user', id: 'user_1' }))).toBeUndefined();
  });
});
