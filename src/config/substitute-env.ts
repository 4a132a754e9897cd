import { API_KEY_PATTERN } from './api-key.js';
import type { SecretRead } from './secret-env.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Walks the parsed config file: refuses API keys written into it, and replaces `${VAR}` in string
 * values with the environment's value (or the contents of the file `VAR_FILE` names, see
 * secret-env.ts). Problems are collected with their path, not thrown, so that every one is
 * reported at once.
 */
export function substituteEnv(value: unknown, read: (name: string) => SecretRead, problems: string[], path = ''): unknown {
  if (typeof value === 'string') {
    if (API_KEY_PATTERN.test(value)) {
      problems.push(`${path || '(root)'}: looks like a WorkOS API key written into the config file; config files get committed, so set WORKOS_API_KEY in the environment instead`);
      return value;
    }
    return value.replace(REFERENCE, (ref, name: string) => {
      const found = read(name);
      if ('problem' in found) {
        problems.push(`${path}: ${found.problem} (referenced as ${ref})`);
        return ref;
      }
      if (found.value === undefined) {
        problems.push(`${path}: environment variable ${name} is not set (referenced as ${ref})`);
        return ref;
      }
      return found.value;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, read, problems, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (path === 'workos' && /^api_?key$/i.test(key)) {
        problems.push('workos.apiKey: the API key is read only from the WORKOS_API_KEY environment variable; remove it from the config file');
        continue;
      }
      out[key] = substituteEnv(item, read, problems, path ? `${path}.${key}` : key);
    }
    return out;
  }
  return value;
}
