import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { PostgresMirrorSinkConfig } from '../sinks/postgres-mirror/postgres-mirror-sink.js';

/** The config's postgres_mirror sink (the one named `name`, when there are several), or a ConfigError saying why not. */
export function mirrorSinkOf(config: Config, name: string | undefined, who: string): PostgresMirrorSinkConfig {
  const mirrors = config.sinks.filter((s) => s.type === 'postgres_mirror' && (!name || s.name === name));
  if (mirrors.length !== 1) {
    throw new ConfigError([mirrors.length === 0
      ? `${who}: the config has no postgres_mirror sink${name ? ` named "${name}"` : ''}`
      : `${who}: the config has several postgres_mirror sinks; name one${who === 'reconcile' ? ' with --sink NAME' : ' in reconcile.sink'}`]);
  }
  return mirrors[0] as PostgresMirrorSinkConfig;
}
