// How the jsonl sink makes a page durable: write + fdatasync (two calls, two trips to libuv's
// thread pool; the baseline, what the sink did before) against one write on a file opened with
// O_DSYNC (what it does now), and the sink itself. Same pages, interleaved, one file each.
//   npm run bench -- jsonl-flush             (or: npx tsx bench/jsonl-flush.bench.ts)
// BENCH_PAGES (default 2000) pages of 100 realistic events (about 65 KB each).
import { constants } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { jsonlSink } from '../src/sinks/jsonl/jsonl-sink.js';
import type { WorkOSEvent } from '../src/workos/event.js';
import { createEventFactory } from '../test/fakes/event-factory.js';
import { describeMachine } from './support/machine.js';
import { median } from './support/percentiles.js';

const PAGES = Number(process.env.BENCH_PAGES ?? 2000);
const factory = createEventFactory(1);
let time = Date.parse('2026-10-28T00:00:00.000Z');
const pages: WorkOSEvent[][] = Array.from({ length: 50 }, (_, p) =>
  Array.from({ length: 100 }, (_, i) => {
    const event = factory.next(new Date((time += 2500)));
    return { object: 'event', id: `event_${String(p * 100 + i).padStart(26, '0')}`, event: event.type, data: event.data, created_at: new Date(time).toISOString() };
  }),
);
const bytesOf = (events: readonly WorkOSEvent[]) => Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join(''));

const dir = await mkdtemp(join(tmpdir(), 'wes-bench-flush-'));
const fsyncFile = await open(join(dir, 'write-fdatasync.jsonl'), 'a+');
const dsyncFile = await open(join(dir, 'o-dsync.jsonl'), constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC);
const sink = jsonlSink.create(jsonlSink.configSchema.parse({ type: 'jsonl', path: join(dir, 'sink.jsonl') }), 'jsonl', { logger: pino({ level: 'silent' }), stdout: process.stdout });
await sink.open();

const variants: Record<string, (events: WorkOSEvent[]) => Promise<unknown>> = {
  'write + fdatasync (before)': async (events) => {
    const bytes = bytesOf(events);
    await fsyncFile.write(bytes, 0, bytes.length);
    await fsyncFile.datasync();
  },
  'one write, file opened with O_DSYNC': async (events) => {
    const bytes = bytesOf(events);
    await dsyncFile.write(bytes, 0, bytes.length);
  },
  'the jsonl sink now (JsonlSink.write)': (events) => sink.write({ events }),
};
const wall: Record<string, number[]> = {};
const cpu: Record<string, number> = {};
for (let i = 0; i < PAGES; i++) {
  for (const [name, write] of Object.entries(variants)) {
    const events = pages[i % pages.length]!;
    const usage = process.cpuUsage();
    const started = performance.now();
    await write(events);
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(usage);
    (wall[name] ??= []).push(elapsed);
    cpu[name] = (cpu[name] ?? 0) + (used.user + used.system) / 1000;
  }
}
await Promise.all([fsyncFile.close(), dsyncFile.close(), sink.close()]);
await rm(dir, { recursive: true, force: true });

const before = 'write + fdatasync (before)';
console.log(`Machine: ${describeMachine()}. ${PAGES} pages of 100 events each (${(bytesOf(pages[0]!).length / 1024).toFixed(0)} KB), interleaved.\n`);
console.log('| making a page durable | median per page | vs before | CPU per page | vs before |\n|---|---|---|---|---|');
for (const name of Object.keys(variants)) {
  const m = median(wall[name]!);
  const c = cpu[name]! / PAGES;
  console.log(`| ${name} | ${m.toFixed(3)} ms | ${(m / median(wall[before]!)).toFixed(2)}x | ${c.toFixed(3)} ms | ${(c / (cpu[before]! / PAGES)).toFixed(2)}x |`);
}
