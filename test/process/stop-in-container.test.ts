import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisDeadLetterStore } from '../../src/dead-letter/redis-dead-letter-store.js';
import { HEAP_FLAGS } from '../../src/heap-flags.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { POSTGRES_URL, readJsonl } from '../support/harness.js';
import { SilentServer } from '../support/silent-server.js';
import { useWorld } from '../support/world.js';

// `docker stop` sends SIGTERM to the container's PID 1 and kills it when its timeout runs out.
// The kernel delivers a signal to a PID namespace's init only if it has a handler for it, so a
// Node that is PID 1 ignores SIGTERM in every command that does not handle it itself. These
// tests give the CLI a PID namespace of its own, as a container does (we run as root), with and
// without the image's init in front of it.
const CONTAINER = ['unshare', '--pid', '--fork', '--mount-proc'];
const WITH_INIT = [...CONTAINER, 'tini', '--'];

/** What tini exits with when its child was ended by SIGTERM: 128 + 15, as a shell reports it. */
const KILLED_BY_SIGTERM = 143;

const w = useWorld({ schedule: '0 0 * * * *' });
let silent: SilentServer;
const running: CliProcess[] = [];

beforeEach(async () => {
  silent = await SilentServer.start();
});
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      // unshare waits for the namespace's PID 1; SIGKILL reaches it whatever it handles.
      const pidOne = await childOf(p.child.pid!).catch(() => undefined);
      if (pidOne !== undefined) process.kill(pidOne, 'SIGKILL');
    }
    await p.exited;
  }
  await silent.close();
});

/** The host PID of a process's first child: unshare's is the namespace's PID 1, tini's is the CLI. */
async function childOf(pid: number): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
    const first = children.trim().split(' ')[0];
    if (first) return Number(first);
    await sleep(10);
  }
  throw new Error(`process ${pid} started no child`);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1500 && !condition(); i++) await sleep(20);
  if (!condition()) throw new Error('the command never reached the point where it waits');
}

/** What `docker stop` does: SIGTERM to PID 1, then SIGKILL if it is still there a second later. */
async function dockerStop(p: CliProcess): Promise<{ stopped: true; code: number | null } | { stopped: false }> {
  const pidOne = await childOf(p.child.pid!);
  process.kill(pidOne, 'SIGTERM');
  const outcome = await Promise.race([p.exited, sleep(1000).then(() => 'still running' as const)]);
  if (outcome !== 'still running') return { stopped: true, code: outcome.code };
  process.kill(pidOne, 'SIGKILL');
  await p.exited;
  return { stopped: false };
}

/** A command caught where it waits longest: its arguments, and what shows it got there. */
interface LongCommand {
  readonly args: () => Promise<string[]>;
  readonly waiting: (p: CliProcess) => Promise<void>;
  /** 0 for a command that stops gracefully; KILLED_BY_SIGTERM for one that simply ends. */
  readonly code: number;
  /** What else must hold once it stopped. */
  readonly after?: () => Promise<void>;
}

const configFlag = () => ['--config', w.configPath];
/** The cursor store (Redis) never answers. */
const silentRedis = async () => w.writeConfig({ cursor: { store: 'redis', url: silent.url('redis'), key: w.cursorKey } });
const silentRedisCommand = (...words: string[]): LongCommand => ({
  args: async () => (await silentRedis(), [...words, ...configFlag()]),
  waiting: () => silent.received(),
  code: KILLED_BY_SIGTERM,
});
/** WorkOS never answers the request after `answered` answered ones. */
const hangWorkOS = (answered = 0) => {
  w.fake.script(...Array.from({ length: answered }, () => ({ kind: 'passthrough' as const })), { kind: 'delay', ms: 3_600_000 });
};
const waitingOnWorkOS = (requests: number) => () => until(() => w.fake.requests.length >= requests);

const commands: Record<string, LongCommand> = {
  'run, idle between ticks': {
    args: async () => ['run', ...configFlag()],
    waiting: (p) => p.waitForLog('"msg":"started"'),
    code: 0,
  },
  'once, mid-drain': {
    args: async () => {
      seedBacklog(w.fake, 3000, { seed: 161 });
      w.fake.latencyMs = 50;
      return ['once', ...configFlag()];
    },
    waiting: (p) => p.waitForLog('delivered a page'),
    code: 0,
    // Stopped, not finished: the signal came mid-drain.
    after: async () => expect((await readJsonl(w.eventsFile)).length).toBeLessThan(3000),
  },
  'check, against a WorkOS that never answers': {
    args: async () => (hangWorkOS(), ['check', ...configFlag()]),
    waiting: waitingOnWorkOS(1),
    code: KILLED_BY_SIGTERM,
  },
  'events, mid-listing': {
    args: async () => {
      seedBacklog(w.fake, 250, { seed: 162 });
      hangWorkOS(1);
      return ['events', '--limit', '1000', ...configFlag()];
    },
    waiting: waitingOnWorkOS(2),
    code: KILLED_BY_SIGTERM,
  },
  'reconcile, against a WorkOS that never answers': {
    args: async () => {
      hangWorkOS();
      await w.writeConfig({ sinks: [{ type: 'postgres_mirror', url: POSTGRES_URL, schema: 'wes_stop_in_container' }] });
      return ['reconcile', ...configFlag()];
    },
    waiting: waitingOnWorkOS(1),
    code: KILLED_BY_SIGTERM,
  },
  'cursor show, against a Redis that never answers': silentRedisCommand('cursor', 'show'),
  'cursor set, against a Redis that never answers': silentRedisCommand('cursor', 'set', 'event_01HSTOPTEST'),
  'cursor reset, against a Redis that never answers': silentRedisCommand('cursor', 'reset'),
  'dlq list, against a Redis that never answers': silentRedisCommand('dlq', 'list'),
  'dlq replay, to a receiver that never answers': {
    args: async () => {
      const event = { object: 'event', id: 'event_01HSTOPTEST', event: 'user.created', data: { id: 'user_1' }, created_at: new Date().toISOString() };
      await new RedisDeadLetterStore(w.redis, { keyPrefix: `${w.cursorKey}:dlq` }).add('hook', [event], { code: 'WES_ERR_SINK_REJECTED', message: 'refused' });
      await w.writeConfig({ sinks: [{ type: 'http', name: 'hook', url: silent.url('http', '/webhooks/workos'), secret: 'whsec_stop_test', timeoutMs: 300_000 }] });
      return ['dlq', 'replay', ...configFlag()];
    },
    waiting: () => silent.received(),
    code: KILLED_BY_SIGTERM,
  },
  'webhook-test, to an endpoint that never answers': {
    args: async () => ['webhook-test', '--url', silent.url('http', '/webhooks/workos'), '--secret', 'whsec_stop_test'],
    waiting: () => silent.received(),
    code: KILLED_BY_SIGTERM,
  },
};

async function startCaught(command: LongCommand, launcher: readonly string[]): Promise<CliProcess> {
  const args = await command.args();
  const p = spawnCli(args, w.env, w.dir, { launcher });
  running.push(p);
  await command.waiting(p);
  return p;
}

describe('docker stop, with tini as the container\'s PID 1', () => {
  it.each(Object.entries(commands))('stops %s within a second of SIGTERM', async (_name, command) => {
    const p = await startCaught(command, WITH_INIT);
    const stop = await dockerStop(p);
    // Under tini the CLI is not PID 1: only a SIGTERM handler of its own could keep it alive.
    expect(stop, p.stderr()).toEqual({ stopped: true, code: command.code });
    await command.after?.();
  });

  it('covers every command of the CLI', async () => {
    const { commandDefinitions } = await import('../../src/commands/command-definitions.js');
    const covered = new Set(Object.keys(commands).map((name) => name.split(',')[0]));
    expect(commandDefinitions.map((d) => d.name).filter((name) => !covered.has(name))).toEqual([]);
  });

  it('keeps tini as PID 1 while run starts Node again under its heap flags in the same PID', async () => {
    const p = await startCaught(commands['run, idle between ticks']!, WITH_INIT);
    const tini = await childOf(p.child.pid!);
    const node = await childOf(tini);
    const cmdline = async (pid: number) => (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    expect((await cmdline(tini))[0]).toMatch(/tini$/);
    // process.execve replaced the image, not the process: tini's child, PID 2 of the container.
    expect(await cmdline(node)).toEqual(expect.arrayContaining([...HEAP_FLAGS]));
    expect(await readFile(`/proc/${node}/status`, 'utf8')).toMatch(new RegExp(`^NSpid:\\s+${node}\\s+2$`, 'm'));
    expect(await dockerStop(p)).toEqual({ stopped: true, code: 0 });
    expect(p.stderr()).toContain('"msg":"stopped"');
  });
});

describe('docker stop, with Node itself as PID 1 (no init)', () => {
  it('leaves a command without a SIGTERM handler running: docker would wait out its timeout and kill it', async () => {
    const p = await startCaught(commands['check, against a WorkOS that never answers']!, CONTAINER);
    expect(await dockerStop(p)).toEqual({ stopped: false });
  });

  it('stops run, which handles SIGTERM itself', async () => {
    const p = await startCaught(commands['run, idle between ticks']!, CONTAINER);
    expect(await dockerStop(p)).toEqual({ stopped: true, code: 0 });
  });
});
