// What the memory benches run and how the image runs it: the built CLI, and the NODE_OPTIONS the
// Dockerfile sets (read from it, so a table always measures what the image ships).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const cli = join(root, 'dist/cli.js');
if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm run bench does)');
const options = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(await readFile(join(root, 'Dockerfile'), 'utf8'))?.[1];
if (options === undefined) throw new Error('no `ENV NODE_OPTIONS="..."` line in the Dockerfile');
export const imageOptions: string = options;
