import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { API_KEY, readJsonl, REDIS_URL } from '../support/harness.js';
import { useWorld } from '../support/world.js';

const w = useWorld();

interface ContainerConfig {
  cursor: { key: string };
  sinks: Array<{ path?: string }>;
  http: { host: string; port: number };
  leader?: { key?: string };
  deadLetter?: { keyPrefix?: string };
}

/**
 * deploy/docker/config.json as compose mounts it, with only what must differ on a shared test
 * machine: its own Redis keys, the archive in the test's folder instead of the /data volume, and
 * a free port.
 */
async function containerConfig(): Promise<string> {
  const config = JSON.parse(await readFile(new URL('../../deploy/docker/config.json', import.meta.url), 'utf8')) as ContainerConfig;
  expect(config.sinks).toHaveLength(1);
  expect(config.sinks[0]!.path).toBe('/data/workos-events.jsonl');
  config.sinks[0]!.path = w.eventsFile;
  config.cursor.key = w.cursorKey;
  config.leader = { ...config.leader, key: `${w.cursorKey}:leader` };
  config.deadLetter = { keyPrefix: `${w.cursorKey}:dlq` };
  config.http = { host: '127.0.0.1', port: 0 };
  const path = join(w.dir, 'container.json');
  await writeFile(path, JSON.stringify(config));
  return path;
}

describe('the container config (deploy/docker/config.json)', () => {
  it('archives every event to the volume and writes none of them, nor their emails, to the container log', async () => {
    const events = seedBacklog(w.fake, 150, { seed: 171 });
    const keyFile = join(w.dir, 'workos_api_key');
    await writeFile(keyFile, `${API_KEY}\n`);

    // The worker's environment in docker-compose.yml, with this machine's Redis and the fake.
    const result = await runCli(['once', '--config', await containerConfig()], {
      WORKOS_API_KEY_FILE: keyFile, REDIS_URL, LOG_LEVEL: 'info', WORKOS_BASE_URL: w.fake.url,
    });

    expect(result.code, result.stderr).toBe(0);
    expect((await readJsonl(w.eventsFile)).map((e) => e.id)).toEqual(events.map((e) => e.id));
    // A container's log is its standard output and error.
    const log = result.stdout + result.stderr;
    expect(result.stdout).toBe('');
    const emails = [...JSON.stringify(events).matchAll(/"email":"([^"]+)"/g)].map((m) => m[1]!);
    expect(emails.length).toBeGreaterThan(10);
    for (const email of emails) expect(log).not.toContain(email);
  });

  it('refuses to start without REDIS_URL, saying so', async () => {
    const result = await runCli(['check', '--config', await containerConfig()], { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: w.fake.url });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('cursor.url: environment variable REDIS_URL is not set (referenced as ${REDIS_URL})');
  });
});
