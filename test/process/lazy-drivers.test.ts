import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { readJsonl, tempDir } from '../support/harness.js';
import { useWorld } from '../support/world.js';

const w = useWorld();
const hook = fileURLToPath(new URL('../support/record-loaded-modules.ts', import.meta.url));
// ioredis is not among them: Redis holds the cursor, the lease and the budget whatever the sinks.
const DRIVERS = { pg: /\/node_modules\/pg\//, amqplib: /\/node_modules\/amqplib\//, nats: /\/node_modules\/@nats-io\// };

/** The drivers a command loaded, running with the module recorder preloaded. */
async function driversLoadedBy(args: string[]): Promise<{ code: number | null; drivers: string[]; stderr: string }> {
  const file = join(await tempDir('wes-lazy-'), 'loaded.txt');
  const result = await runCli(args, { ...w.env, NODE_OPTIONS: `--import ${hook}`, LOADED_MODULES_FILE: file });
  const loaded = (await readFile(file, 'utf8')).split('\n');
  return { code: result.code, stderr: result.stderr, drivers: Object.entries(DRIVERS).filter(([, pattern]) => loaded.some((url) => pattern.test(url))).map(([name]) => name) };
}

describe('sink drivers', () => {
  it('are not loaded for sinks a config does not use: once and check with a jsonl sink load no pg, AMQP or NATS client', async () => {
    seedBacklog(w.fake, 30, { seed: 91 });
    const events = join(w.dir, 'out.jsonl');
    await w.writeConfig({ sinks: [{ type: 'jsonl', path: events }] });
    const once = await driversLoadedBy(['once', '--config', w.configPath]);
    expect(once.code, once.stderr).toBe(0);
    expect(once.drivers).toEqual([]);
    expect(await readJsonl(events)).toHaveLength(30);
    const check = await driversLoadedBy(['check', '--config', w.configPath]);
    expect(check.drivers).toEqual([]);
  });

  it('leave out ioredis, prom-client and the WorkOS SDK too for a once with a file cursor, which needs neither Redis, /metrics nor webhooks', async () => {
    seedBacklog(w.fake, 10, { seed: 92 });
    await w.writeConfig({ cursor: { store: 'file', path: join(w.dir, 'cursor.json') }, sinks: [{ type: 'jsonl', path: join(w.dir, 'out.jsonl') }] });
    const file = join(await tempDir('wes-lazy-'), 'loaded.txt');
    const result = await runCli(['once', '--config', w.configPath], { ...w.env, NODE_OPTIONS: `--import ${hook}`, LOADED_MODULES_FILE: file });
    expect(result.code, result.stderr).toBe(0);
    const loaded = await readFile(file, 'utf8');
    expect(loaded).not.toMatch(/\/node_modules\/(ioredis|prom-client)\//);
    // GETs go through Node's fetch; the SDK is for webhook signatures only.
    expect(loaded).not.toMatch(/\/node_modules\/@workos-inc\//);
    expect(await readJsonl(join(w.dir, 'out.jsonl'))).toHaveLength(10);
  });

  it('are loaded for the sinks a config names, and only those', async () => {
    await w.writeConfig({ sinks: [{ type: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test', table: `lazy_${Date.now()}` }] });
    const shown = await driversLoadedBy(['cursor', 'show', '--config', w.configPath]);
    expect(shown.code, shown.stderr).toBe(0);
    // The sink's own position is in Postgres; no AMQP, no NATS.
    expect(shown.drivers).toEqual(['pg']);
  });
});
