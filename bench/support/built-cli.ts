// What the memory benches run: the built CLI, the heap flags its bin applies to run, once and
// reconcile (src/heap-flags.ts: the one source of truth, which the Docker image used to set in
// NODE_OPTIONS), and a user's NODE_OPTIONS that opts out of them for Node's own sizing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEAP_FLAGS } from '../../src/heap-flags.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const cli = join(root, 'dist/cli.js');
if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm run bench does)');

/** The bin's heap flags as NODE_OPTIONS: what the image used to set, and what the bin now applies by itself. */
export const heapOptions: string = HEAP_FLAGS.join(' ');

/**
 * NODE_OPTIONS that opt out of the bin's heap flags and give Node's own sizing back. Any heap flag
 * of the user's own turns the bin's off; this one changes nothing else on a host of 16 GiB or more,
 * where V8 caps its default old space at 4096 MB, and V8 sizes the young generation from the old
 * space the same way whether the old space is its default or given (so `heap_size_limit` is the
 * same, 4,288 MB on a 24 GiB host). The benches print the heap limit of each run to show it.
 */
export const nodeOwnSizing = '--max-old-space-size=4096';
