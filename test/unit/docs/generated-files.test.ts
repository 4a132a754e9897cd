import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedBlocksOf } from '../../../scripts/config-reference/generated-blocks.js';
import { generatedFiles } from '../../../scripts/config-reference/generated-files.js';
import { sinkTypes } from '../../../src/sinks/registry.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('files generated from the config schema', () => {
  it('are what `npm run schema` writes: config.schema.json and every generated table of config keys in the docs', async () => {
    const stale: string[] = [];
    for (const [path, expected] of await generatedFiles(root)) {
      const actual = await readFile(join(root, path), 'utf8').catch(() => '(missing)');
      if (actual !== expected) stale.push(path);
    }
    expect(stale, `out of date: ${stale.join(', ')}; run \`npm run schema\` and commit the result`).toEqual([]);
  });

  it('give the configuration page the whole reference and every sink page its own keys', async () => {
    const blocksOf = async (page: string) => generatedBlocksOf(await readFile(join(root, page), 'utf8'));
    expect(await blocksOf('docs/configuration.md')).toEqual(['reference']);
    expect(await blocksOf('docs/sinks/README.md')).toEqual(['sinks']);
    for (const type of sinkTypes) expect(await blocksOf(`docs/sinks/${type}.md`), type).toEqual([`sink ${type}`]);
  });
});
