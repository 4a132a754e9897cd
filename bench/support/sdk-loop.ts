// The baseline: the loop a typical integration writes from WorkOS's guide, with the SDK's
// `listEvents`: fetch a page, process it, store the cursor, repeat until a page comes back short.
// No prefetch, no fsync, the SDK's own retries and camel-casing: what integrations get.
// Imports packages only, so that it also runs as a child process under plain `node` (Node 24
// strips the types): `node bench/support/sdk-loop.ts '<options as JSON>'` prints the result.
import { appendFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WorkOS, type EventName } from '@workos-inc/node';
import { Redis } from 'ioredis';

export interface SdkLoopOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly redisUrl: string;
  readonly cursorKey: string;
  /** The types to list: the SDK's `listEvents` requires a list. */
  readonly eventTypes: readonly string[];
  /** "Process" = append the page's events to this file as JSON lines (one appendFile per page). */
  readonly outPath?: string;
  /** "Process" = a step that takes this long per page instead (a slow sink). */
  readonly processMs?: number;
}

export interface LoopResult {
  readonly events: number;
  readonly pages: number;
  readonly seconds: number;
  /** CPU of the whole process (every thread) during the loop, user + system, ms. */
  readonly cpuMs: number;
}

/** CPU used since `start` (a process.cpuUsage() reading), ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const PAGE_SIZE = 100;

/**
 * SDK 12's `listEvents` no longer takes `order`. The fake honours the documented default (desc);
 * the live API is reported to serve oldest first anyway: so the loop adds `order=asc` to the URL,
 * as `listEvents({ order: 'asc' })` did up to SDK 11, and the baseline stays the same loop.
 */
const oldestFirst: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : input);
  if (url.pathname === '/events') url.searchParams.set('order', 'asc');
  return fetch(url, init);
};

export async function runSdkLoop(options: SdkLoopOptions): Promise<LoopResult> {
  const url = new URL(options.baseUrl);
  const workos = new WorkOS(options.apiKey, { apiHostname: url.hostname, port: Number(url.port), https: url.protocol === 'https:', fetchFn: oldestFirst });
  const redis = new Redis(options.redisUrl);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let events = 0;
  let pages = 0;
  try {
    let after = (await redis.get(options.cursorKey)) ?? undefined;
    for (;;) {
      const page = await workos.events.listEvents({ events: options.eventTypes as EventName[], after, limit: PAGE_SIZE });
      const last = page.data.at(-1);
      if (last) {
        if (options.outPath) await appendFile(options.outPath, page.data.map((event) => `${JSON.stringify(event)}\n`).join(''));
        if (options.processMs) await new Promise((resolve) => setTimeout(resolve, options.processMs));
        await redis.set(options.cursorKey, last.id);
        after = last.id;
        events += page.data.length;
        pages++;
      }
      if (page.data.length < PAGE_SIZE) break;
    }
  } finally {
    await redis.quit();
  }
  return { events, pages, seconds: (performance.now() - started) / 1000, cpuMs: cpuMsSince(cpu) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runSdkLoop(JSON.parse(process.argv[2]!) as SdkLoopOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
