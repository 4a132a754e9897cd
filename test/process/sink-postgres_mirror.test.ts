import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIRROR_TABLES } from '../../src/sinks/postgres-mirror/mirror-tables.js';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { applyLifecycle } from '../fakes/lifecycle.js';
import { runCli } from '../support/cli-process.js';
import { copyExampleConfig } from '../support/example-config.js';
import { API_KEY, POSTGRES_URL, tempDir } from '../support/harness.js';
import { mirrorAndFakeState } from '../support/mirror-state.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });

let fake: FakeWorkOS;
let schema: string;

beforeEach(async () => {
  fake = await startFakeWorkOS();
  schema = `workos_mirror_test_${randomBytes(6).toString('hex')}`;
});
afterEach(async () => {
  await fake.close();
  await admin.query(`drop schema if exists "${schema}" cascade`);
});
afterAll(async () => {
  await admin.end();
});

/** Every table's rows, without synced_at, so two dumps taken at different times compare. */
async function dump(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of [...MIRROR_TABLES.map((t) => t.name), 'ignored_events']) {
    const key = table === 'ignored_events' ? 'event_type' : 'id';
    out[table] = (await admin.query(`select to_jsonb(t) - 'synced_at' as r from "${schema}"."${table}" t order by ${key} collate "C"`)).rows;
  }
  return out;
}

describe('the postgres_mirror example config', () => {
  it("a new user's once with examples/postgres_mirror.json fills the mirror tables from the fake WorkOS's backlog", async () => {
    // Creates, updates and deletes of every kind the mirror keeps, plus events it ignores.
    applyLifecycle(fake, 600, { start: new Date(Date.now() - 3_600_000) });
    const dir = await tempDir('wes-pg-mirror-');
    const configPath = await copyExampleConfig<{ schema: string }>('postgres_mirror.json', dir, (sink) => {
      sink.schema = schema;
    });

    // The example's password comes from ${PGPASSWORD}; the local server trusts loopback, so any value does.
    const env = { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url, PGPASSWORD: 'example-password' };
    const result = await runCli(['once', '--config', configPath], env, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('example-password');

    // The live rows are the objects WorkOS lists now, exactly as its events carried them.
    const { mirror, fake: expected } = await mirrorAndFakeState(admin, schema, fake);
    expect(mirror).toEqual(expected);

    // A second run finds nothing new; running again from the start changes nothing either.
    const before = await dump();
    const again = await runCli(['once', '--config', configPath], env, dir);
    expect(again.code, again.stderr).toBe(0);
    const replay = await runCli(['once', '--reset-cursor', '--config', configPath], env, dir);
    expect(replay.code, replay.stderr).toBe(0);
    expect(await dump()).toEqual(before);
  });
});
