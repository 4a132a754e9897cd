// A stand-alone WorkOS state API holding one organization and one directory of N directory users
// (each in one of G groups), every object built from its index when asked, so that 100,000 users
// cost nothing to hold and each page O(100). Objects are shaped as the SDK types them (see
// test/fixtures/workos/sdk-shapes.ts). `eventsOf` gives the events that would have built the
// same mirror, for the bench to write through the postgres_mirror sink.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

type Json = Record<string, unknown>;

export interface SyntheticDirectory {
  readonly url: string;
  readonly users: number;
  readonly groups: number;
  /** The events of the whole directory, in order, `size` at a time. */
  eventsOf(size: number): Generator<Json[]>;
  close(): Promise<void>;
}

const T0 = Date.parse('2026-01-10T09:00:00.000Z');
const ORG = 'org_01BENCH';
const DIRECTORY = 'directory_01BENCH';
const pad = (i: number) => String(i).padStart(8, '0');
const iso = (ms: number) => new Date(ms).toISOString();
const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'Design'];

const organization = (): Json => ({ object: 'organization', id: ORG, name: 'Bench Corp', allow_profiles_outside_organization: false, domains: [], external_id: null, metadata: {}, created_at: iso(T0), updated_at: iso(T0) });
const directoryEvent = (): Json => ({ object: 'directory', id: DIRECTORY, external_key: 'bench', type: 'okta scim v2.0', state: 'active', name: 'Bench Okta', organization_id: ORG, domains: [{ object: 'organization_domain', id: 'org_domain_01BENCH', domain: 'bench.test' }], created_at: iso(T0), updated_at: iso(T0) });
const directoryListed = (): Json => {
  const { domains: _domains, ...rest } = directoryEvent();
  return { ...rest, domain: 'bench.test', state: 'linked' };
};
const group = (g: number): Json => ({ object: 'directory_group', id: `directory_group_${pad(g)}`, idp_id: `g-${g}`, directory_id: DIRECTORY, organization_id: ORG, name: `${DEPARTMENTS[g % DEPARTMENTS.length]} ${g}`, created_at: iso(T0 + g), updated_at: iso(T0 + g), raw_attributes: {} });
const user = (i: number): Json => ({
  object: 'directory_user', id: `directory_user_${pad(i)}`, directory_id: DIRECTORY, organization_id: ORG, idp_id: `u-${i}`, first_name: 'User', last_name: `Number ${i}`,
  email: `user${i}@bench.test`, state: i % 17 === 0 ? 'inactive' : 'active', role: { slug: 'member' },
  raw_attributes: { userName: `user${i}@bench.test`, active: i % 17 !== 0, department: DEPARTMENTS[i % DEPARTMENTS.length] },
  custom_attributes: { department: DEPARTMENTS[i % DEPARTMENTS.length] }, created_at: iso(T0 + 1000 + i), updated_at: iso(T0 + 1000 + i),
});
const indexOf = (id: string | null): number => (id === null ? -1 : Number(id.slice(-8)));

export async function startSyntheticDirectory(options: { users: number; groups: number; apiKey: string }): Promise<SyntheticDirectory> {
  const { users, groups, apiKey } = options;
  const members = (g: number) => Math.max(0, Math.ceil((users - g) / groups));
  /** One page of `count` objects (`make(k)`, k from 0), after the object with index `after`. */
  const page = (count: number, position: (id: string | null) => number, make: (k: number) => Json, url: URL): Json => {
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 10) || 10));
    const start = position(url.searchParams.get('after')) + 1;
    const data = Array.from({ length: Math.max(0, Math.min(limit, count - start)) }, (_, k) => make(start + k));
    const more = start + data.length < count;
    return { object: 'list', data, list_metadata: { before: null, after: more ? (data.at(-1)!['id'] as string) : null } };
  };
  const withGroups = (i: number): Json => ({ ...user(i), groups: [group(i % groups)] });
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://synthetic.invalid');
    const reply = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (/^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() !== apiKey) return reply(401, { message: 'Unauthorized' });
    const empty = { object: 'list', data: [], list_metadata: { before: null, after: null } };
    const one = (object: Json) => ({ object: 'list', data: url.searchParams.get('after') ? [] : [object], list_metadata: { before: null, after: null } });
    switch (url.pathname) {
      case '/organizations': return reply(200, one({ ...organization(), domains: [] }));
      case '/directories': return reply(200, one(directoryListed()));
      case '/directory_groups': return reply(200, page(groups, indexOf, group, url));
      case '/directory_users': {
        const g = url.searchParams.get('group');
        if (g === null) return reply(200, page(users, indexOf, withGroups, url));
        const gi = indexOf(g);
        // Members of group g are the users g, g + G, g + 2G, ...
        return reply(200, page(members(gi), (id) => (id === null ? -1 : Math.floor(indexOf(id) / groups)), (k) => withGroups(k * groups + gi), url));
      }
      case '/user_management/users': case '/user_management/organization_memberships': case '/connections': return reply(200, empty);
      default: return reply(404, { message: 'Not Found' });
    }
  };
  const sockets = new Set<Socket>();
  const server = createServer(answer);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let serial = 0;
  const event = (type: string, data: Json, ms: number): Json => ({ object: 'event', id: `event_${pad(++serial)}`, event: type, data, created_at: iso(ms) });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    users,
    groups,
    *eventsOf(size) {
      let batch: Json[] = [event('organization.created', organization(), T0), event('dsync.activated', directoryEvent(), T0)];
      for (let g = 0; g < groups; g++) batch.push(event('dsync.group.created', group(g), T0 + g));
      const flush = function* (): Generator<Json[]> {
        while (batch.length >= size) yield batch.splice(0, size);
      };
      for (let i = 0; i < users; i++) {
        const ms = T0 + 1000 + i;
        batch.push(event('dsync.user.created', user(i), ms), event('dsync.group.user_added', { directory_id: DIRECTORY, user: user(i), group: group(i % groups) }, ms));
        yield* flush();
      }
      if (batch.length > 0) yield batch;
      batch = [];
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}
