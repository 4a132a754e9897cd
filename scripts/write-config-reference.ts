// `npm run schema`: writes config.schema.json from the zod config schema (src/config/schema.ts)
// and rewrites the generated tables of config keys in README.md and docs/ from it. Run it after
// changing the schema or a description; test/unit/docs/generated-files.test.ts fails until then.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './config-reference/generated-files.js';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const [path, text] of await generatedFiles(root)) {
  const current = await readFile(join(root, path), 'utf8').catch(() => undefined);
  if (current === text) continue;
  await writeFile(join(root, path), text);
  console.log(`wrote ${path}`);
}
