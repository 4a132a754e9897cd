import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { API_KEY, POSTGRES_URL, postgresUrlWith, tempDir } from '../support/harness.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
const PASSWORD = 'pg-s3cret-pass';

let fake: FakeWorkOS;
let table: string;

beforeEach(async () => {
  fake = await startFakeWorkOS();
  table = `workos_events_secrets_${randomBytes(6).toString('hex')}`;
});
afterEach(async () => {
  await fake.close();
  for (const name of [table, `${table}_b`]) await admin.query(`drop table if exists public."${name}", public."${name}_migrations", public."${name}_positions"`);
});
afterAll(async () => {
  await admin.end();
});

describe('secrets in the logs', () => {
  it('logs a URL user name such as "postgres" as it is, while a URL password stays redacted', async () => {
    seedBacklog(fake, 3);
    const dir = await tempDir('wes-secrets-');
    const configPath = join(dir, 'config.json');
    // The test server trusts loopback, so the password is accepted and ignored.
    const withPassword = postgresUrlWith((url) => (url.password = PASSWORD));
    await writeFile(configPath, JSON.stringify({
      cursor: { store: 'file', path: join(dir, 'cursor.json') },
      http: { enabled: false },
      rateLimit: { shared: false },
      sinks: [
        { type: 'postgres', url: POSTGRES_URL, table },
        { type: 'postgres', name: 'with-password', url: '${PG_URL}', table: `${table}_b` },
      ],
    }));
    expect(new URL(POSTGRES_URL)).toMatchObject({ username: 'postgres', password: '' });

    const result = await runCli(['once', '--config', configPath], { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url, PG_URL: withPassword });
    expect(result.code, result.stderr).toBe(0);
    const logs = result.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const migrated = logs.filter((l) => l.msg === 'migrated the Postgres table');
    expect(migrated.map((l) => l.sink)).toEqual(expect.arrayContaining(['postgres', 'with-password']));
    expect(migrated.find((l) => l.sink === 'postgres')?.url).toMatch(/^postgres:\/\/postgres@/);
    expect(migrated.find((l) => l.sink === 'with-password')?.url).toMatch(/^postgres:\/\/postgres:\*\*\*@/);
    expect(result.stderr).not.toContain('[redacted]');
    expect(result.stderr).not.toContain(PASSWORD);
  });
});
