import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { copyExampleConfig } from '../support/example-config.js';
import { API_KEY, POSTGRES_URL, tempDir } from '../support/harness.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });

let fake: FakeWorkOS;
let table: string;

beforeEach(async () => {
  fake = await startFakeWorkOS();
  table = `workos_events_test_${randomBytes(6).toString('hex')}`;
});
afterEach(async () => {
  await fake.close();
  await admin.query(`drop table if exists public."${table}", public."${table}_migrations", public."${table}_positions"`);
});
afterAll(async () => {
  await admin.end();
});

describe('the postgres example config', () => {
  it("a new user's run with examples/postgres.json delivers a backlog from the fake WorkOS into Postgres", async () => {
    // Distinct created_at, one second apart, so "in order" is unambiguous in the table.
    seedBacklog(fake, 250, { start: new Date(Date.now() - 3_600_000) });
    const dir = await tempDir('wes-pg-');
    const configPath = await copyExampleConfig<{ table: string }>('postgres.json', dir, (sink) => {
      sink.table = table;
    });

    // The example's password comes from ${PGPASSWORD}; the local server trusts loopback, so any value does.
    const env = { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url, PGPASSWORD: 'example-password' };
    const result = await runCli(['once', '--config', configPath], env, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('example-password');

    const { rows } = await admin.query<{ id: string; payload: { id: string } }>(`select id, payload from public."${table}" order by created_at, id`);
    expect(rows.map((r) => r.id)).toEqual(fake.events.map((e) => e.id));
    expect(rows.map((r) => r.payload)).toEqual(fake.events.map((e) => JSON.parse(JSON.stringify(e))));

    // A second run finds nothing new and adds nothing.
    const again = await runCli(['once', '--config', configPath], env, dir);
    expect(again.code, again.stderr).toBe(0);
    const count = await admin.query<{ n: string }>(`select count(*) as n from public."${table}"`);
    expect(Number(count.rows[0]!.n)).toBe(250);
  });
});
