import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { ROUTES } from '../../src/http/server.js';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { API_KEY, REDIS_URL, tempDir } from '../support/harness.js';
import { KUBERNETES_DIR, only, readManifests } from '../support/kubernetes-manifests.js';
import { keysMatching } from '../support/redis-keys.js';

// The base's config uses the default key names (cursor, lease, stream): a Redis database of its
// own keeps this test away from every other test's keys on the shared server.
const DB = 12;
const redisUrl = (() => {
  const url = new URL(REDIS_URL);
  url.pathname = `/${DB}`;
  return url.toString();
})();

let redis: Redis;
let fake: FakeWorkOS;

async function clearDatabase(): Promise<void> {
  const keys = await keysMatching(redis, '*');
  if (keys.length > 0) await redis.del(...keys);
}

beforeAll(async () => {
  redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await clearDatabase();
  fake = await startFakeWorkOS();
});
afterAll(async () => {
  await fake.close();
  await clearDatabase();
  await redis.quit();
});

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the Kubernetes base config', () => {
  it('runs as the Deployment runs it: two replicas, both ready, the leader delivering into the Redis stream, both stopping cleanly on SIGTERM', { timeout: 90_000 }, async () => {
    seedBacklog(fake, 150, { start: new Date(Date.now() - 3_600_000) });
    const dir = await tempDir('wes-kubernetes-');
    const config = JSON.parse(await readFile(join(KUBERNETES_DIR, 'base', 'config.json'), 'utf8')) as { http: Record<string, unknown> };
    // The one change: on a shared machine the test cannot hold port 8080, nor listen beyond loopback.
    config.http = { ...config.http, host: '127.0.0.1', port: 0 };
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify(config));

    // The environment the pod gets, with the fake WorkOS in place of the real one.
    const env: Record<string, string> = {
      [ENV.configPath]: configPath,
      [ENV.apiKey]: API_KEY,
      [ENV.redisUrl]: redisUrl,
      [ENV.webhookSecret]: 'whsec-test',
    };
    const deployment = only<IDeployment>(await readManifests(join(KUBERNETES_DIR, 'base', 'deployment.yaml')), 'Deployment');
    expect(Object.keys(env).sort()).toEqual(deployment.spec!.template.spec!.containers[0]!.env!.map((e) => e.name).sort());
    env[ENV.baseUrl] = fake.url;
    // The working directory is /data in the image: the base config writes nothing there.
    const webhookPath = parseConfig(config, env).webhook.path;
    const replicas: CliProcess[] = [spawnCli(['run'], env, dir), spawnCli(['run'], env, dir)];
    try {
      const urls = await Promise.all(replicas.map((r) => r.httpUrl()));
      await until(async () => (await redis.xlen('workos:events')) === fake.events.length, 'every event is in the stream');

      const roles: unknown[] = [];
      for (const url of urls) {
        expect((await getJson(`${url}${ROUTES.health}`)).status).toBe(200);
        const ready = await getJson(`${url}${ROUTES.ready}`);
        expect(ready, 'a replica that is not ready would stall a rollout with maxUnavailable 0').toMatchObject({ status: 200, body: { ok: true, problems: [] } });
        roles.push(ready.body.role);
        expect((await fetch(`${url}${ROUTES.metrics}`)).status).toBe(200);
        // The webhook endpoint shares the port: on with the secret, refusing an unsigned delivery.
        expect((await fetch(`${url}${webhookPath}`, { method: 'POST', body: '{}' })).status).toBe(401);
      }
      expect(roles.sort()).toEqual(['leader', 'standby']);
    } finally {
      for (const r of replicas) r.child.kill('SIGTERM');
    }
    for (const r of replicas) expect((await r.exited).code, r.stderr()).toBe(0);
  });
});
