// A custom sink for workos-events-sync: copy this file, change write(), and point a
// { "type": "module", "path": "./my-sink.mjs", "options": { ... } } entry at it.
//
// The contract (see the README, "module"): write(page) resolves only when every event of the page
// is durably stored, throws otherwise, and is harmless to call again with the same page (the
// daemon replays the page in flight after a crash): key your writes on event.id.
// Throw an error with `retryable = false` for a payload your backend refuses for what it is;
// anything else is retried with backoff and the cursor waits.
import { appendFile } from 'node:fs/promises';

/** @type {import('workos-events-sync').ModuleSinkFactory} */
export function createSink(options, context) {
  const written = new Set();
  return {
    async open() {
      context.logger.info({ sink: context.name, path: options.path }, 'my sink is ready');
    },
    async write(page) {
      const fresh = page.events.filter((event) => !written.has(event.id));
      if (fresh.length === 0) return;
      await appendFile(String(options.path), fresh.map((event) => `${JSON.stringify(event)}\n`).join(''));
      for (const event of fresh) written.add(event.id);
    },
    async probe() {},
    async close() {},
  };
}
