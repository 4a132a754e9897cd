// The baseline of the reconcile memory bench: what the previous reconcile did, everything in
// memory at once. It lists every directory user (and the users of every group) into arrays,
// reads every row of the two mirror tables with one query each, then compares them by id.
// Imports packages only, so that it runs under plain `node` (Node 24 strips the types):
//   node bench/support/reconcile-in-memory.ts '{"baseUrl":..., "apiKey":..., "postgresUrl":..., "schema":...}'
import pg from 'pg';

interface Options {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly postgresUrl: string;
  readonly schema: string;
}

type Json = Record<string, unknown>;

const options = JSON.parse(process.argv[2] ?? '{}') as Options;

async function listAll(path: string): Promise<Json[]> {
  const all: Json[] = [];
  let after: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await fetch(`${options.baseUrl}${path}${separator}limit=100&order=asc${after ? `&after=${after}` : ''}`, { headers: { Authorization: `Bearer ${options.apiKey}` } });
    const body = (await response.json()) as { data: Json[]; list_metadata: { after: string | null } };
    all.push(...body.data);
    after = body.list_metadata.after;
  } while (after !== null);
  return all;
}

const directories = await listAll('/directories');
const users: Json[] = [];
const memberships: Json[] = [];
for (const directory of directories) {
  users.push(...(await listAll(`/directory_users?directory=${String(directory['id'])}`)));
  for (const group of await listAll(`/directory_groups?directory=${String(directory['id'])}`)) {
    for (const user of await listAll(`/directory_users?group=${String(group['id'])}`)) memberships.push({ id: `${String(group['id'])}:${String(user['id'])}`, user, group });
  }
}
const pool = new pg.Pool({ connectionString: options.postgresUrl, max: 1 });
const userRows = (await pool.query<Json>(`select * from "${options.schema}".directory_users`)).rows;
const membershipRows = (await pool.query<Json>(`select * from "${options.schema}".directory_group_memberships`)).rows;
await pool.end();
let differing = 0;
const byId = new Map(userRows.map((row) => [row['id'], row]));
for (const user of users) {
  const row = byId.get(user['id']);
  if (!row || row['email'] !== user['email'] || JSON.stringify((row['raw'] as Json)['custom_attributes']) !== JSON.stringify(user['custom_attributes'])) differing++;
}
const memberIds = new Set(membershipRows.map((row) => row['id']));
for (const membership of memberships) if (!memberIds.has(membership['id'])) differing++;
process.stdout.write(JSON.stringify({ users: users.length, memberships: memberships.length, rows: userRows.length + membershipRows.length, differing }));
