import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { API_KEY, readJsonl, tempDir } from '../support/harness.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let fake: FakeWorkOS;

beforeEach(async () => {
  fake = await startFakeWorkOS();
});
afterEach(async () => {
  await fake.close();
});

describe('the module sink, as a new user runs it', () => {
  it('delivers a backlog through examples/my-sink.mjs with examples/module.json', async () => {
    const dir = await tempDir();
    const config = JSON.parse(await readFile(join(repo, 'examples/module.json'), 'utf8')) as { cursor: { path: string }; sinks: Array<{ path: string; options: { path: string } }> };
    config.cursor.path = join(dir, 'cursor.json');
    config.sinks[0]!.path = join(repo, 'examples/my-sink.mjs');
    config.sinks[0]!.options.path = join(dir, 'events.jsonl');
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify({ ...config, http: { enabled: false } }));
    seedBacklog(fake, 230, { seed: 61 });
    const result = await runCli(['once', '--config', configPath], { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url });
    expect(result.code).toBe(0);
    expect((await readJsonl(join(dir, 'events.jsonl'))).map((e) => e.id)).toEqual(fake.events.map((e) => e.id));
  });
});
