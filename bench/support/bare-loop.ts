import { cpuMsSince, type LoopResult } from './sdk-loop.js';

/**
 * The ceiling of figure 1: raw `fetch` of /events pages and `JSON.parse`, nothing else (no SDK,
 * no sinks, no cursor), one page after another until a page comes back short.
 */
export async function runBareLoop(baseUrl: string, apiKey: string): Promise<LoopResult> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let events = 0;
  let pages = 0;
  let after: string | undefined;
  for (;;) {
    const url = new URL('/events', baseUrl);
    url.searchParams.set('order', 'asc');
    url.searchParams.set('limit', '100');
    if (after) url.searchParams.set('after', after);
    const response = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}` } });
    if (!response.ok) throw new Error(`GET /events answered ${response.status}`);
    const body = JSON.parse(await response.text()) as { data: { id: string }[] };
    events += body.data.length;
    pages++;
    after = body.data.at(-1)?.id;
    if (body.data.length < 100) break;
  }
  return { events, pages, seconds: (performance.now() - started) / 1000, cpuMs: cpuMsSince(cpu) };
}
