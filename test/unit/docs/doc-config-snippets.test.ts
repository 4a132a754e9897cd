import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentationPages } from '../../../scripts/config-reference/generated-files.js';
import { parseConfig } from '../../../src/config/load.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Each ```json block of a page that is a config (it has `sinks`) or one sink of it (it has `type`). */
async function configSnippets(): Promise<{ where: string; json: Record<string, unknown> }[]> {
  const found: { where: string; json: Record<string, unknown> }[] = [];
  for (const page of await documentationPages(root)) {
    const markdown = await readFile(join(root, page), 'utf8');
    for (const [i, [, body]] of [...markdown.matchAll(/^```json\n([\s\S]*?)^```/gm)].entries()) {
      const json = JSON.parse(body!) as Record<string, unknown>;
      if ('sinks' in json || 'type' in json) found.push({ where: `${page}, json block ${i + 1}`, json });
    }
  }
  return found;
}

/** The variables a snippet names in `${VAR}`, each given a value, as a deployment would. */
function envFor(json: unknown): Record<string, string> {
  return Object.fromEntries([...JSON.stringify(json).matchAll(/\$\{([A-Z0-9_]+)\}/g)].map(([, name]) => [name!, 'secret']));
}

describe('config examples in the documentation', () => {
  it('are configs the loader accepts, whole or as one sink of a config', async () => {
    const snippets = await configSnippets();
    expect(snippets.length).toBeGreaterThan(8);
    for (const { where, json } of snippets) {
      const config = 'sinks' in json ? json : { cursor: { store: 'redis', url: 'redis://127.0.0.1:6379' }, sinks: [json] };
      expect(() => parseConfig(config, envFor(json)), where).not.toThrow();
    }
  });
});
