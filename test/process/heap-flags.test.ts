import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAP_FLAGS } from '../../src/heap-flags.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { CLI, spawnCli } from '../support/cli-process.js';
import { useWorld } from '../support/world.js';

const w = useWorld();
const recordingSink = fileURLToPath(new URL('../fixtures/sinks/process-sink.mjs', import.meta.url));
const startHook = fileURLToPath(new URL('../support/record-start.ts', import.meta.url));

interface Drain {
  readonly pid: number;
  readonly execArgv: string[];
  readonly heapSizeLimit: number;
}

/** V8's heap limit in a plain `node` with these arguments and NODE_OPTIONS: what the drain should see. */
function heapLimitOf(nodeArgs: readonly string[], nodeOptions = ''): number {
  const result = spawnSync(process.execPath, [...nodeArgs, '-p', 'require("node:v8").getHeapStatistics().heap_size_limit'], { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions }, encoding: 'utf8' });
  return Number(result.stdout.trim());
}

/** Runs `once` with the recording sink; returns the PID spawned and what the sink saw during the drain. */
async function drainOnce(env: Record<string, string>): Promise<{ spawnedPid: number; drain: Drain }> {
  seedBacklog(w.fake, 20, { seed: 141 });
  const record = join(w.dir, 'drain.json');
  await w.writeConfig({ sinks: [{ type: 'module', path: recordingSink, options: { path: record } }] });
  const p = spawnCli(['once', '--config', w.configPath], { ...w.env, ...env });
  const { code } = await p.exited;
  expect(code, p.stderr()).toBe(0);
  return { spawnedPid: p.child.pid!, drain: JSON.parse(await readFile(record, 'utf8')) as Drain };
}

/** Runs `node --import record-start.ts dist/cli.js ...args`; returns each Node image the process started. */
async function imagesOf(args: readonly string[]): Promise<{ code: number | null; pid: number; images: Array<{ pid: number; execArgv: string[] }> }> {
  const file = join(w.dir, `starts-${Math.random().toString(36).slice(2)}.jsonl`);
  const child = spawn(process.execPath, ['--import', startHook, CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...w.env, RECORD_START_FILE: file }, stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const images = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { pid: number; execArgv: string[] });
  return { code, pid: child.pid!, images };
}

describe('the heap limits of the bin', () => {
  it('once with no NODE_OPTIONS drains under the bin\'s heap flags, in the very process that was spawned', async () => {
    const { spawnedPid, drain } = await drainOnce({});
    expect(drain.pid).toBe(spawnedPid);
    expect(drain.execArgv).toEqual(HEAP_FLAGS);
    expect(drain.heapSizeLimit).toBe(heapLimitOf(HEAP_FLAGS));
    expect(drain.heapSizeLimit).toBeLessThan(heapLimitOf([]));
  });

  it("keeps a user's own NODE_OPTIONS=--max-old-space-size=300 and adds nothing", async () => {
    const { spawnedPid, drain } = await drainOnce({ NODE_OPTIONS: '--max-old-space-size=300' });
    expect(drain.pid).toBe(spawnedPid);
    expect(drain.execArgv).toEqual([]);
    expect(drain.heapSizeLimit).toBe(heapLimitOf([], '--max-old-space-size=300'));
  });

  it("starts once again for once, keeping node's own arguments (an --import hook), in the same PID", async () => {
    seedBacklog(w.fake, 5, { seed: 142 });
    const once = await imagesOf(['once', '--config', w.configPath]);
    expect(once.code).toBe(0);
    expect(once.images).toEqual([
      { pid: once.pid, execArgv: ['--import', startHook] },
      { pid: once.pid, execArgv: [...HEAP_FLAGS, '--import', startHook] },
    ]);
  });

  it.each(['--help', '--version', 'once --help', 'check --config CONFIG', 'cursor show --config CONFIG'])('%s starts Node once, without the heap flags', async (line) => {
    const run = await imagesOf(line.split(' ').map((word) => (word === 'CONFIG' ? w.configPath : word)));
    expect(run.code).toBe(0);
    expect(run.images).toEqual([{ pid: run.pid, execArgv: ['--import', startHook] }]);
  });
});
