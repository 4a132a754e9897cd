import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { applyLifecycle } from '../fakes/lifecycle.js';
import { runCli } from '../support/cli-process.js';
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
  it('finds no difference after a long random lifecycle drained into the mirror, then finds and fixes tampering', { timeout: 120_000 }, async () => {
    applyLifecycle(fake, 3000, { seed: 71, start: new Date(Date.now() - 2 * 3_600_000), spacingMs: 1000 });
    const drained = await runCli(['once', '--config', configPath], env);
    expect(drained.code, drained.stderr).toBe(0);

    const clean = await runCli(['reconcile', '--config', configPath], env);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toContain('the mirror matches WorkOS');
    expect(clean.stdout).toMatch(/^organizations: 0 missing, 0 extra, 0 stale$/m);
    expect(clean.stdout).toMatch(/^directory_users: 0 missing, 0 extra, 0 stale$/m);

    // A lost row, a row WorkOS no longer has (a deletion the mirror never heard of), a stale row.
    const [user] = (await admin.query(`select id from "${schema}".users where deleted_at is null order by id limit 1`)).rows as Array<{ id: string }>;
    await admin.query(`delete from "${schema}".users where id = $1`, [user!.id]);
    const [org] = (await admin.query(`select id from "${schema}".organizations where deleted_at is null order by id limit 1`)).rows as Array<{ id: string }>;
    await admin.query(`update "${schema}".organizations set updated_at = updated_at - interval '1 day' where id = $1`, [org!.id]);
    await admin.query(
      `insert into "${schema}".directories (id, raw, updated_at, last_event_at, changed_by) values ('directory_ghost', '{}', now(), now(), 'event')`,
    );

    const drift = await runCli(['reconcile', '--config', configPath], env);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/^users: 1 missing, 0 extra, 0 stale$/m);
    expect(drift.stdout).toContain(`  missing  ${user!.id}`);
    expect(drift.stdout).toMatch(/^organizations: 0 missing, 0 extra, 1 stale$/m);
    expect(drift.stdout).toMatch(/^directories: 0 missing, 1 extra, 0 stale$/m);
    expect(drift.stdout).toContain('  extra    directory_ghost');

    const fixed = await runCli(['reconcile', '--fix', '--config', configPath], env);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('fixed: 1 written, 0 marked deleted');
    const [ghost] = (await admin.query(`select deleted_at, changed_by from "${schema}".directories where id = 'directory_ghost'`)).rows as Array<{ deleted_at: Date | null; changed_by: string }>;
    expect(ghost).toMatchObject({ changed_by: 'reconcile' });
    expect(ghost!.deleted_at).not.toBeNull();

    const after = await runCli(['reconcile', '--config', configPath], env);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain('the mirror matches WorkOS');
  });

  it('says plainly when the config has no postgres_mirror sink', async () => {
    await writeFile(configPath, JSON.stringify({ sinks: [{ type: 'stdout' }] }));
    const result = await runCli(['reconcile', '--config', configPath], env);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('reconcile: the config has no postgres_mirror sink');
  });
});
