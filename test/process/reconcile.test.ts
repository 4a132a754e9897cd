import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { applyLifecycle } from '../fakes/lifecycle.js';
import { runCli, spawnCli } from '../support/cli-process.js';
import { API_KEY, POSTGRES_URL, tempDir } from '../support/harness.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });

let fake: FakeWorkOS;
let schema: string;
let configPath: string;
let env: Record<string, string>;

beforeEach(async () => {
  fake = await startFakeWorkOS();
  schema = `wes_reconcile_${randomBytes(6).toString('hex')}`;
  const dir = await tempDir('wes-reconcile-');
  configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify({
    cursor: { store: 'file', path: join(dir, 'cursor.json') },
    http: { enabled: false },
    // Reconcile lists per organization and per directory: leave the default budget (10/s) to production.
    rateLimit: { requestsPerMinute: 6000 },
    sinks: [{ type: 'postgres_mirror', url: POSTGRES_URL, schema }],
  }));
  env = { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url };
});
afterEach(async () => {
  await fake.close();
  await admin.query(`drop schema if exists "${schema}" cascade`);
});
afterAll(async () => {
  await admin.end();
});

describe('reconcile', () => {
  const one = async (sql: string): Promise<string> => ((await admin.query(sql)).rows as Array<{ id: string }>)[0]!.id;

  it('finds no difference after a long random lifecycle drained into the mirror, then names each tampered field, fixes them all, and finds none again', { timeout: 120_000 }, async () => {
    applyLifecycle(fake, 3000, { seed: 71, start: new Date(Date.now() - 2 * 3_600_000), spacingMs: 1000 });
    const drained = await runCli(['once', '--config', configPath], env);
    expect(drained.code, drained.stderr).toBe(0);

    const clean = await runCli(['reconcile', '--config', configPath], env);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toContain('the mirror matches WorkOS');
    for (const table of ['organizations', 'organization_domains', 'users', 'organization_memberships', 'connections', 'directories', 'directory_users', 'directory_groups', 'directory_group_memberships']) {
      expect(clean.stdout).toMatch(new RegExp(`^${table}: [1-9][0-9]* compared, 0 differ$`, 'm'));
    }

    const s = `"${schema}"`;
    // A live row deleted, an email changed, a tombstone revived, an updated_at moved ahead, and
    // in the tables reconcile did not check before: a domain's state, a group membership lost.
    const lost = await one(`select id from ${s}.users where deleted_at is null order by id limit 1`);
    await admin.query(`delete from ${s}.users where id = $1`, [lost]);
    const renamed = await one(`select id from ${s}.users where deleted_at is null order by id desc limit 1`);
    await admin.query(`update ${s}.users set email = 'x' where id = $1`, [renamed]);
    const revived = await one(`select id from ${s}.directory_users where deleted_at is not null order by id limit 1`);
    await admin.query(`update ${s}.directory_users set deleted_at = null where id = $1`, [revived]);
    const ahead = await one(`select id from ${s}.organizations where deleted_at is null order by id limit 1`);
    await admin.query(`update ${s}.organizations set updated_at = updated_at + interval '1 day' where id = $1`, [ahead]);
    const domain = await one(`select id from ${s}.organization_domains where deleted_at is null order by id limit 1`);
    await admin.query(`update ${s}.organization_domains set state = 'tampered' where id = $1`, [domain]);
    const member = await one(`select id from ${s}.directory_group_memberships where deleted_at is null order by id limit 1`);
    await admin.query(`delete from ${s}.directory_group_memberships where id = $1`, [member]);

    const drift = await runCli(['reconcile', '--config', configPath], env);
    expect(drift.code, drift.stdout + drift.stderr).toBe(1);
    expect(drift.stdout).toMatch(/^users: [0-9]+ compared, 2 differ$/m);
    expect(drift.stdout).toContain(`  users ${lost} row: mirror absent, WorkOS live`);
    expect(drift.stdout).toMatch(new RegExp(`^  users ${renamed} email: mirror "x", WorkOS "[^"]+@[^"]+"$`, 'm'));
    expect(drift.stdout).toContain(`  directory_users ${revived} row: mirror live, WorkOS gone`);
    expect(drift.stdout).toMatch(new RegExp(`^  organizations ${ahead} updated_at: mirror "[^"]+", WorkOS "[^"]+"$`, 'm'));
    expect(drift.stdout).toMatch(new RegExp(`^  organization_domains ${domain} state: mirror "tampered", WorkOS "(pending|verified|failed)"$`, 'm'));
    expect(drift.stdout).toContain(`  directory_group_memberships ${member} row: mirror absent, WorkOS live`);
    expect(drift.stdout).not.toContain('the mirror matches WorkOS');

    const fixed = await runCli(['reconcile', '--fix', '--config', configPath], env);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/^  fixed 2 rows of users$/m);
    const [row] = (await admin.query(`select email, changed_by, last_event_id from ${s}.users where id = $1`, [renamed])).rows as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ changed_by: 'reconcile', last_event_id: null });
    expect(row!['email']).not.toBe('x');

    const after = await runCli(['reconcile', '--config', configPath], env);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain('the mirror matches WorkOS');
  });

  it('run reconciles on reconcile.schedule as the leader, repairs with reconcile.fix, and shows it in /metrics', { timeout: 60_000 }, async () => {
    applyLifecycle(fake, 400, { seed: 72, start: new Date(Date.now() - 3_600_000), spacingMs: 1000 });
    const drained = await runCli(['once', '--config', configPath], env);
    expect(drained.code, drained.stderr).toBe(0);
    const [user] = (await admin.query(`select id from "${schema}".users where deleted_at is null order by id limit 1`)).rows as Array<{ id: string }>;
    await admin.query(`update "${schema}".users set email = 'x' where id = $1`, [user!.id]);
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    await writeFile(configPath, JSON.stringify({ ...config, http: { host: '127.0.0.1', port: 0 }, reconcile: { schedule: '*/1 * * * * *', fix: true } }));

    const daemon = spawnCli(['run', '--config', configPath], env);
    try {
      const url = await daemon.httpUrl();
      await daemon.waitForLog('reconcile: the mirror differed from WorkOS; fixed what no event changed meanwhile', 30_000);
      await daemon.waitForLog('reconcile: the mirror matches WorkOS', 30_000);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^workos_events_sync_reconcile_runs_total\{result="fixed"\} 1$/m);
      expect(metrics).toMatch(/^workos_events_sync_reconcile_fixed_rows_total\{table="users"\} 1$/m);
      expect(metrics).toMatch(/^workos_events_sync_reconcile_differences\{table="users"\} 0$/m);
      expect(metrics).toMatch(/^workos_events_sync_reconcile_last_run_timestamp_seconds [0-9.e+]+$/m);
    } finally {
      daemon.child.kill('SIGTERM');
      expect((await daemon.exited).code).toBe(0);
    }
    const [row] = (await admin.query(`select email, changed_by from "${schema}".users where id = $1`, [user!.id])).rows as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ changed_by: 'reconcile' });
    expect(row!['email']).not.toBe('x');
  });

  it('says plainly when the config has no postgres_mirror sink', async () => {
    await writeFile(configPath, JSON.stringify({ sinks: [{ type: 'stdout' }] }));
    const result = await runCli(['reconcile', '--config', configPath], env);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('reconcile: the config has no postgres_mirror sink');
  });
});
