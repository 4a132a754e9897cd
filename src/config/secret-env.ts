import { readFileSync } from 'node:fs';
import type { Env } from './env.js';

/**
 * A variable's value and where it came from, or the one problem that keeps it from being read.
 * `from` names the variable, or the `_FILE` variable and its path, for messages a person acts on.
 */
export type SecretRead =
  | { readonly value: string | undefined; readonly from: string }
  | { readonly problem: string };

/** The suffix of the variable that names a file holding another variable's value (Docker and Kubernetes secrets). */
const FILE_SUFFIX = '_FILE';

function whyUnreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return `is not readable by this process (${code}); check its owner and mode`;
  return `could not be read (${code ?? (err as Error).message})`;
}

/**
 * Reads `name`, or the file `${name}_FILE` names: how Docker and Kubernetes hand secrets to a
 * container without putting them in its environment. The rules are the same for every secret:
 * a file that is missing, unreadable or empty is a problem (a secret that silently reads as
 * nothing would start the daemon half-configured), and so are both variables at once, because
 * which one should win is a guess. The trailing newline an editor or `echo` leaves is dropped.
 * Empty variables count as unset, as compose's `${VAR:-}` writes them.
 */
export function readSecretEnv(env: Env, name: string): SecretRead {
  const fileVariable = `${name}${FILE_SUFFIX}`;
  const file = env[fileVariable];
  const direct = env[name];
  if (!file) return { value: direct, from: name };
  if (direct) return { problem: `${fileVariable}: ${name} is set as well; set only one of the two (which should win is ambiguous)` };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { problem: `${fileVariable}: ${file} ${whyUnreadable(err)}` };
  }
  const value = text.replace(/[\r\n]+$/, '');
  if (value === '') return { problem: `${fileVariable}: ${file} is empty` };
  return { value, from: `${fileVariable} (${file})` };
}

/** One read per variable for a whole config: a `${VAR}` used in three places reads its file once. */
export function secretEnvReader(env: Env): (name: string) => SecretRead {
  const reads = new Map<string, SecretRead>();
  return (name) => {
    let read = reads.get(name);
    if (!read) reads.set(name, (read = readSecretEnv(env, name)));
    return read;
  };
}
