import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { readSecretEnv, secretEnvReader } from '../../../src/config/secret-env.js';
import { ConfigError } from '../../../src/errors.js';
import { tempDir } from '../../support/harness.js';
import { problemsOf } from '../../support/config-problems.js';

async function secretFile(content: string): Promise<string> {
  const path = join(await tempDir('wes-secret-'), 'secret');
  await writeFile(path, content);
  return path;
}

describe('a secret read from VAR or VAR_FILE', () => {
  it('takes the variable itself when no VAR_FILE is set', () => {
    expect(readSecretEnv({ TOKEN: 'abc' }, 'TOKEN')).toEqual({ value: 'abc', from: 'TOKEN' });
    expect(readSecretEnv({}, 'TOKEN')).toEqual({ value: undefined, from: 'TOKEN' });
  });

  it('reads the file VAR_FILE names, without the trailing newline an editor or echo leaves', async () => {
    const path = await secretFile('s3cret value\n');
    expect(readSecretEnv({ TOKEN_FILE: path }, 'TOKEN')).toEqual({ value: 's3cret value', from: `TOKEN_FILE (${path})` });
    expect(readSecretEnv({ TOKEN_FILE: await secretFile('crlf\r\n') }, 'TOKEN')).toMatchObject({ value: 'crlf' });
    // Only line ends go: a leading space or an inner newline is part of the secret.
    expect(readSecretEnv({ TOKEN_FILE: await secretFile(' two\nlines\n\n') }, 'TOKEN')).toMatchObject({ value: ' two\nlines' });
  });

  it('refuses a missing file, naming the variable and the path', () => {
    expect(readSecretEnv({ TOKEN_FILE: '/nonexistent/token' }, 'TOKEN')).toEqual({ problem: 'TOKEN_FILE: /nonexistent/token does not exist' });
  });

  it('refuses a path that cannot be read as a file', async () => {
    const dir = await tempDir('wes-secret-');
    await mkdir(join(dir, 'token'));
    expect(readSecretEnv({ TOKEN_FILE: join(dir, 'token') }, 'TOKEN')).toEqual({ problem: `TOKEN_FILE: ${join(dir, 'token')} is a directory, not a file` });
  });

  it('refuses an empty file, and one that holds only a newline', async () => {
    expect(readSecretEnv({ TOKEN_FILE: '/dev/null' }, 'TOKEN')).toEqual({ problem: 'TOKEN_FILE: /dev/null is empty' });
    const newline = await secretFile('\n');
    expect(readSecretEnv({ TOKEN_FILE: newline }, 'TOKEN')).toEqual({ problem: `TOKEN_FILE: ${newline} is empty` });
  });

  it('refuses VAR and VAR_FILE set together, since which should win is a guess', async () => {
    expect(readSecretEnv({ TOKEN: 'abc', TOKEN_FILE: await secretFile('def') }, 'TOKEN')).toEqual({
      problem: 'TOKEN_FILE: TOKEN is set as well; set only one of the two (which should win is ambiguous)',
    });
  });

  it("counts an empty VAR as unset, as compose's ${VAR:-} writes it", async () => {
    expect(readSecretEnv({ TOKEN: '', TOKEN_FILE: await secretFile('def') }, 'TOKEN')).toMatchObject({ value: 'def' });
    expect(readSecretEnv({ TOKEN: 'abc', TOKEN_FILE: '' }, 'TOKEN')).toEqual({ value: 'abc', from: 'TOKEN' });
  });

  it('reads each file once for a whole config', async () => {
    const path = await secretFile('first');
    const read = secretEnvReader({ TOKEN_FILE: path });
    expect(read('TOKEN')).toMatchObject({ value: 'first' });
    await writeFile(path, 'second');
    expect(read('TOKEN')).toMatchObject({ value: 'first' });
  });
});

describe('VAR_FILE in the config', () => {
  it('satisfies a ${VAR} with the contents of VAR_FILE', async () => {
    const path = await secretFile('postgres://app:pw@db:5432/app\n');
    const config = parseConfig({ sinks: [{ type: 'postgres', url: '${DATABASE_URL}' }] }, { DATABASE_URL_FILE: path });
    expect(config.sinks[0]).toMatchObject({ url: 'postgres://app:pw@db:5432/app' });
  });

  it('reports a bad VAR_FILE once per use, at the path of the value', () => {
    expect(problemsOf(() => parseConfig({ sinks: [{ type: 'postgres', url: '${DATABASE_URL}' }] }, { DATABASE_URL_FILE: '/nonexistent/db' }))).toEqual([
      'sinks[0].url: DATABASE_URL_FILE: /nonexistent/db does not exist (referenced as ${DATABASE_URL})',
    ]);
  });

  it('takes REDIS_URL from REDIS_URL_FILE, and reports a bad one as cursor.url', async () => {
    const path = await secretFile('redis://:pw@redis:6379\n');
    expect(parseConfig({ sinks: [{ type: 'stdout' }] }, { REDIS_URL_FILE: path }).cursor).toMatchObject({ store: 'redis', url: 'redis://:pw@redis:6379' });
    expect(problemsOf(() => parseConfig({ sinks: [{ type: 'stdout' }] }, { REDIS_URL_FILE: '/dev/null' }))).toEqual(['cursor.url: REDIS_URL_FILE: /dev/null is empty']);
    const bad = await secretFile('redis://[bad\n');
    expect(problemsOf(() => parseConfig({ sinks: [{ type: 'stdout' }] }, { REDIS_URL_FILE: bad }))).toEqual([
      expect.stringMatching(new RegExp(`^cursor\\.url: .*\\(set by REDIS_URL_FILE \\(${bad}\\)\\)$`)),
    ]);
  });
});

describe('the API key and the webhook secret from files', () => {
  it('reads WORKOS_API_KEY_FILE and WORKOS_WEBHOOK_SECRET_FILE as the daemon reads the variables', async () => {
    const path = join(await tempDir('wes-config-'), 'config.json');
    await writeFile(path, '{"sinks":[{"type":"stdout"}]}');
    const env = { WORKOS_API_KEY_FILE: await secretFile('sk_test_from_a_file\n'), WORKOS_WEBHOOK_SECRET_FILE: await secretFile('whsec_from_a_file\n') };
    await expect(loadConfig({ path, env, requireApiKey: true })).resolves.toMatchObject({ apiKey: 'sk_test_from_a_file', webhookSecret: 'whsec_from_a_file' });
  });

  it('says which file holds a wrong key, and reports every bad file at once', async () => {
    const path = join(await tempDir('wes-config-'), 'config.json');
    await writeFile(path, '{"sinks":[{"type":"stdout"}]}');
    const publishable = await secretFile('pk_test_123\n');
    await expect(loadConfig({ path, env: { WORKOS_API_KEY_FILE: publishable }, requireApiKey: true })).rejects.toThrow(`WORKOS_API_KEY_FILE (${publishable}) holds a publishable key`);
    const problems = await loadConfig({ path, env: { WORKOS_API_KEY_FILE: '/nonexistent/key', WORKOS_WEBHOOK_SECRET_FILE: '/dev/null' }, requireApiKey: true }).catch((err: ConfigError) => err.problems);
    expect(problems).toEqual([`${path}: WORKOS_API_KEY_FILE: /nonexistent/key does not exist`, `${path}: WORKOS_WEBHOOK_SECRET_FILE: /dev/null is empty`]);
  });
});
