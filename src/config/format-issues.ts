import type { z } from 'zod';
import { SECRET_KEYS } from '../observability/collect-secrets.js';
import { redactUrl } from '../observability/redact-url.js';
import { closestWord } from './closest-word.js';

/** `['sinks', 1, 'url']` -> `sinks[1].url`, the way people write config paths. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/**
 * The value a person wrote, quoted back to them; but never a secret: values of secret-named keys
 * are hidden and URL passwords masked, since `${VAR}` substitution has already happened here.
 */
function describeInput(input: unknown, path: readonly PropertyKey[] = []): string {
  if (input === undefined) return 'nothing';
  if (SECRET_KEYS.test(String(path.at(-1) ?? ''))) return '(a hidden value)';
  if (typeof input === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(input)) return JSON.stringify(redactUrl(input));
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'an object';
  const text = JSON.stringify(input);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Turns zod issues into `path: reason` lines a person can act on. `knownKeys` feeds the
 * "did you mean" hint for typos in key names.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], knownKeys: readonly string[], sinkTypes: readonly string[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint = closestWord(key, knownKeys);
          lines.push(`${path}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
        }
        break;
      case 'invalid_union':
        if (issue.path.at(-1) === 'type' || (issue as { discriminator?: string }).discriminator === 'type') {
          const input = (issue as { input?: unknown }).input;
          const got = input && typeof input === 'object' ? (input as { type?: unknown }).type : input;
          const hint = typeof got === 'string' ? closestWord(got, sinkTypes) : undefined;
          lines.push(`${path.endsWith('.type') ? path : `${path}.type`}: unknown sink type ${describeInput(got)}; expected one of ${sinkTypes.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`);
        } else if ((issue as { discriminator?: string }).discriminator === 'store') {
          lines.push(`${path}.store: expected "redis" or "file"`);
        } else {
          lines.push(`${path}: ${issue.message}`);
        }
        break;
      case 'invalid_type':
        lines.push(`${path}: ${issue.input === undefined ? 'is required' : `expected ${issue.expected}, got ${describeInput(issue.input, issue.path)}`}`);
        break;
      default: {
        // Custom messages were written for people already; zod's own ones get the input appended.
        const input = (issue as { input?: unknown }).input;
        const withInput = input !== undefined && typeof input !== 'object' ? `, got ${describeInput(input, issue.path)}` : '';
        lines.push(`${path}: ${issue.message}${withInput}`);
      }
    }
  }
  return lines;
}
