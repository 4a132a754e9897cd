import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../../fakes/fake-workos.js';
import { applyLifecycle } from '../../fakes/lifecycle.js';
import {
  DIRECTORY_DELETED_EVENT, DIRECTORY_EVENT, DIRECTORY_GROUP, DIRECTORY_LISTED, DIRECTORY_USER, DIRECTORY_USER_LISTED, GROUP_MEMBERSHIP_EVENT,
  ORGANIZATION, ORGANIZATION_DOMAIN, PREVIOUS_ATTRIBUTES, shapeProblems, type Shape,
} from '../../fixtures/workos/sdk-shapes.js';

type Json = Record<string, unknown>;
let fake: FakeWorkOS;

beforeEach(async () => {
  fake = await startFakeWorkOS();
  applyLifecycle(fake, 4000, { seed: 21, start: '2026-02-01T00:00:00.000Z', spacingMs: 1000 });
});
afterEach(async () => {
  await fake.close();
});

async function listAll(path: string): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await fetch(`${fake.url}${path}${separator}limit=100&order=asc${after ? `&after=${after}` : ''}`, { headers: { Authorization: `Bearer ${fake.apiKey}` } });
    expect(response.status, path).toBe(200);
    const body = (await response.json()) as { data: Json[]; list_metadata: { after: string | null } };
    out.push(...body.data);
    after = body.list_metadata.after;
  } while (after !== null);
  return out;
}

/** Every object's problems against the shape, by what it was: an empty record when all fit. */
function misfits(objects: readonly Json[], shape: Shape, extra: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const object of objects) {
    const { unexpected, missing } = shapeProblems(shape, object, extra);
    if (unexpected.length > 0 || missing.length > 0) out[String(object['id'])] = { unexpected, missing };
  }
  return Object.fromEntries(Object.entries(out).slice(0, 3));
}

const dataOf = (type: string): Json[] => fake.events.filter((e) => e.event === type).map((e) => e.data);

describe('the fake WorkOS: Directory Sync as the SDK and the API reference have it', () => {
  it('emits every dsync.* event with the data the SDK types for it', () => {
    for (const type of ['dsync.activated', 'dsync.deactivated']) expect(misfits(dataOf(type), DIRECTORY_EVENT), type).toEqual({});
    expect(dataOf('dsync.deleted').length).toBeGreaterThan(0);
    expect(misfits(dataOf('dsync.deleted'), DIRECTORY_DELETED_EVENT), 'dsync.deleted').toEqual({});
    for (const type of ['dsync.user.created', 'dsync.user.deleted']) expect(misfits(dataOf(type), DIRECTORY_USER), type).toEqual({});
    expect(misfits(dataOf('dsync.user.updated'), DIRECTORY_USER, [PREVIOUS_ATTRIBUTES])).toEqual({});
    for (const type of ['dsync.group.created', 'dsync.group.deleted']) expect(misfits(dataOf(type), DIRECTORY_GROUP), type).toEqual({});
    expect(misfits(dataOf('dsync.group.updated'), DIRECTORY_GROUP, [PREVIOUS_ATTRIBUTES])).toEqual({});
    for (const type of ['dsync.group.user_added', 'dsync.group.user_removed']) {
      const data = dataOf(type);
      expect(misfits(data, GROUP_MEMBERSHIP_EVENT), type).toEqual({});
      expect(misfits(data.map((d) => d['user'] as Json), DIRECTORY_USER), `${type} user`).toEqual({});
      expect(misfits(data.map((d) => d['group'] as Json), DIRECTORY_GROUP), `${type} group`).toEqual({});
    }
  });

  it('serves /directories, /directory_users and /directory_groups as DirectoryResponse, DirectoryUserWithGroupsResponse and DirectoryGroupResponse', async () => {
    const directories = await listAll('/directories');
    expect(directories.length).toBeGreaterThan(0);
    expect(misfits(directories, DIRECTORY_LISTED)).toEqual({});
    // The API spells the states of a live directory linked and unlinked (the SDK maps them back).
    expect(new Set(directories.map((d) => d['state']))).toEqual(new Set(['linked', 'unlinked']));
    let members = 0;
    for (const directory of directories) {
      const users = await listAll(`/directory_users?directory=${String(directory['id'])}`);
      expect(misfits(users, DIRECTORY_USER_LISTED)).toEqual({});
      const groups = await listAll(`/directory_groups?directory=${String(directory['id'])}`);
      expect(misfits(groups, DIRECTORY_GROUP)).toEqual({});
      for (const user of users) {
        // A user's groups are the groups it is a member of now, as listed.
        const nested = user['groups'] as Json[];
        expect(misfits(nested, DIRECTORY_GROUP)).toEqual({});
        for (const group of nested) expect(groups.find((g) => g['id'] === group['id'])).toEqual(group);
        members += nested.length;
      }
    }
    expect(members).toBeGreaterThan(0);
  });

  it('serves each organization with its current domains, as whole OrganizationDomainResponse objects', async () => {
    const organizations = await listAll('/organizations');
    expect(misfits(organizations, ORGANIZATION)).toEqual({});
    const live = new Map(fake.state.list('organization_domains').map((d) => [d['id'], d]));
    let domains = 0;
    for (const organization of organizations) {
      const nested = organization['domains'] as Json[];
      expect(misfits(nested, ORGANIZATION_DOMAIN)).toEqual({});
      for (const domain of nested) expect(domain).toEqual(live.get(domain['id']));
      expect(nested.length).toBe([...live.values()].filter((d) => d['organization_id'] === organization['id']).length);
      domains += nested.length;
    }
    expect(domains).toBe(live.size);
  });
});
