import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { dumpMirror, useMirrorSchemas } from '../../support/mirror-schema.js';
import { POSTGRES_URL } from '../../support/services.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
const mirrors = useMirrorSchemas(admin, afterEach);

afterAll(async () => {
  await admin.end();
});

const BASE_MS = Date.parse('2026-03-01T10:00:00.000Z');
const t = (s: number): string => new Date(BASE_MS + s * 1000).toISOString();
const event = (n: number, type: string, data: Record<string, unknown>, at: string): WorkOSEvent =>
  ({ object: 'event', id: `event_${String(n).padStart(4, '0')}`, event: type, data, created_at: at });

/** Writes the stream in pages of `size` into a schema of its own; returns every table. */
async function mirrored(events: readonly WorkOSEvent[], size: number): Promise<Record<string, unknown>> {
  const schema = mirrors.schema();
  const sink = mirrors.sink(schema);
  for (let i = 0; i < events.length; i += size) await sink.write({ events: events.slice(i, i + size) });
  return dumpMirror(admin, schema);
}

describe('the postgres_mirror sink: the outcome does not depend on the page size', () => {
  const user = (v: number, lastName: string | null) =>
    ({ object: 'user', id: 'user_01', email: 'ada@acme.com', first_name: 'Ada', last_name: lastName, email_verified: true, external_id: null, created_at: t(0), updated_at: t(v) });

  it('a user updated to last_name null and then deleted in one page leaves a tombstone with last_name null', async () => {
    const stream = [
      event(1, 'user.created', user(0, 'Old'), t(0)),
      event(2, 'user.updated', user(5, null), t(5)),
      event(3, 'user.deleted', user(5, null), t(6)),
    ];
    const one = await mirrored(stream, 1);
    const users = one['users'] as Array<Record<string, unknown>>;
    expect(users).toMatchObject([{ id: 'user_01', last_name: null, deleted_at: t(6) }]);
    // The first event alone, then the update and the delete in one page.
    const schema = mirrors.schema();
    const sink = mirrors.sink(schema);
    await sink.write({ events: stream.slice(0, 1) });
    await sink.write({ events: stream.slice(1) });
    expect(await dumpMirror(admin, schema)).toEqual(one);
  });

  it('a directory deleted by a dsync.deleted without domains keeps the domain of its activation, in any page size', async () => {
    const directory = { object: 'directory', id: 'directory_01', external_key: 'k', type: 'okta scim v2.0', state: 'active', name: 'Acme', organization_id: 'org_01', domains: [{ object: 'organization_domain', id: 'org_domain_01', domain: 'acme.com' }], created_at: t(0), updated_at: t(0) };
    // As the SDK types it: dsync.deleted's data has neither domains nor external_key.
    const { domains: _d, external_key: _k, ...deleted } = { ...directory, state: 'deleting', updated_at: t(9) };
    const stream = [
      event(1, 'dsync.activated', directory, t(0)),
      event(2, 'dsync.deactivated', { ...directory, state: 'inactive', domains: [], updated_at: t(3) }, t(3)),
      event(3, 'dsync.activated', { ...directory, updated_at: t(4) }, t(4)),
      event(4, 'dsync.deleted', deleted, t(9)),
    ];
    const expected = await mirrored(stream, 1);
    expect(expected['directories']).toMatchObject([{ domain: 'acme.com', state: 'deleting', deleted_at: t(9) }]);
    for (const size of [2, 3, 4]) expect(await mirrored(stream, size), `page size ${size}`).toEqual(expected);
  });

  it('an update that lacks created_at keeps the created_at an earlier event of the same page gave', async () => {
    const org = (v: number) => ({ object: 'organization', id: 'org_01', name: `Acme ${v}`, created_at: t(0), updated_at: t(v) });
    const { created_at: _c, ...bare } = org(2);
    const stream = [event(1, 'organization.created', org(0), t(0)), event(2, 'organization.updated', bare, t(2))];
    const expected = await mirrored(stream, 1);
    expect(expected['organizations']).toMatchObject([{ created_at: t(0), name: 'Acme 2' }]);
    expect(await mirrored(stream, 2)).toEqual(expected);
  });
});
