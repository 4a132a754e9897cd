import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of an example config the process tests touch; the rest is copied as it is. */
export interface ExampleConfig<SinkConfig> {
  cursor: { path?: string };
  sinks: SinkConfig[];
  http?: { enabled: boolean };
}

/**
 * Copies `examples/<name>` into `dir` as `config.json`, as a new user would start from it: the
 * cursor file moved into `dir`, then `edit` for what the test must point elsewhere (its own table,
 * stream or server). Returns the copy's path.
 */
export async function copyExampleConfig<SinkConfig>(
  name: string,
  dir: string,
  edit: (sink: SinkConfig, config: ExampleConfig<SinkConfig>) => void = () => undefined,
): Promise<string> {
  const config = JSON.parse(await readFile(new URL(`../../examples/${name}`, import.meta.url), 'utf8')) as ExampleConfig<SinkConfig>;
  config.cursor.path = join(dir, 'cursor.json');
  edit(config.sinks[0]!, config);
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}
