import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { configJsonSchema } from '../../src/config/config-json-schema.js';
import { fillGeneratedBlocks } from './generated-blocks.js';

/** The shipped JSON Schema, as `npm run schema` writes it. */
export const SCHEMA_FILE = 'config.schema.json';

/** Every Markdown page of the repository's documentation: README.md and docs/ (recursively). */
export async function documentationPages(root: string): Promise<string[]> {
  const entries = await readdir(join(root, 'docs'), { recursive: true, withFileTypes: true }).catch(() => []);
  const pages = entries.filter((e) => e.isFile() && e.name.endsWith('.md')).map((e) => relative(root, join(e.parentPath, e.name)));
  return ['README.md', ...pages.sort()];
}

/**
 * What each generated file should hold, by path relative to `root`: config.schema.json, and every
 * documentation page with its generated tables written afresh. `npm run schema` writes these; a
 * test compares them with the files, so the schema, the editors' schema and the docs cannot part.
 */
export async function generatedFiles(root: string): Promise<Map<string, string>> {
  const schema = configJsonSchema();
  const files = new Map([[SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`]]);
  for (const page of await documentationPages(root)) {
    files.set(page, fillGeneratedBlocks(await readFile(join(root, page), 'utf8'), page, schema));
  }
  return files;
}
