import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { copyExampleConfig } from '../support/example-config.js';
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
    const configPath = await copyExampleConfig<{ path: string; options: { path: string } }>('module.json', dir, (sink, config) => {
      sink.path = join(repo, 'examples/my-sink.mjs');
      sink.options.path = join(dir, 'events.jsonl');
      config.http = { enabled: false };
    });
    seedBacklog(fake, 230, { seed: 61 });
    const result = await runCli(['once', '--config', configPath], { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url });
    expect(result.code).toBe(0);
    expect((await readJsonl(join(dir, 'events.jsonl'))).map((e) => e.id)).toEqual(fake.events.map((e) => e.id));
  });
});
