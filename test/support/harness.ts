import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createDaemon, type Daemon, type DaemonOptions } from '../../src/daemon.js';
import type { WorkOSEvent } from '../../src/workos/event.js';
import type { FakeWorkOS } from '../fakes/fake-workos.js';

export { POSTGRES_URL, postgresUrlWith, REDIS_URL, redisClient } from './services.js';
export const API_KEY = 'sk_test_fake';

/** A fresh folder under the OS temp dir. */
export async function tempDir(prefix = 'wes-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A Redis key of its own for each test, so tests never see each other's cursor. */
export function uniqueCursorKey(): string {
  return `wes-test:${randomUUID()}:cursor`;
}

/** Log lines captured as objects, for assertions on what a person would read. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

export function testConfig(fake: FakeWorkOS, overrides: Record<string, unknown>): Config {
  return parseConfig({ workos: { baseUrl: fake.url }, schedule: '*/1 * * * * *', ...overrides }, {});
}

export interface TestDaemon {
  daemon: Daemon;
  waits: number[];
  logs: Array<Record<string, unknown>>;
  stdout: PassThrough;
}

/**
 * A daemon wired to the fake, on a fake clock: a sleep is recorded and moves the clock on at once,
 * so backoffs, Retry-After waits and the rate budget all agree on the time without anyone waiting.
 */
export function testDaemon(config: Config, extra: Partial<DaemonOptions> = {}): TestDaemon {
  const waits: number[] = [];
  let clock = Date.now();
  const { logger, lines } = captureLogger();
  const stdout = new PassThrough();
  const daemon = createDaemon({
    config,
    apiKey: API_KEY,
    logger,
    stdout,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    ...extra,
  });
  return { daemon, waits, logs: lines, stdout };
}

/** The events in a JSON-lines file, in file order, as far as they are written. */
export async function readJsonl(path: string): Promise<WorkOSEvent[]> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // A page being appended right now ends without its newline: only complete lines count.
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete.split('\n').filter(Boolean).map((line) => JSON.parse(line) as WorkOSEvent);
}


/** Every id once, in the order first seen; and whether any id appeared more than once. */
export function uniqueInOrder(events: readonly { id: string }[]): { ids: string[]; duplicates: number } {
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const e of events) {
    if (!seen.has(e.id)) {
      seen.add(e.id);
      ids.push(e.id);
    }
  }
  return { ids, duplicates: events.length - ids.length };
}

/** Polls a JSON-lines file until it holds `count` events or `timeoutMs` passes; returns what it holds. */
export async function waitForEvents(path: string, count: number, timeoutMs = 15_000): Promise<WorkOSEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await readJsonl(path);
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
}
