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
      case 'invalid_union': {
        const { discriminator, options, errors } = issue as { discriminator?: string; options?: unknown[]; errors?: z.core.$ZodIssue[][] };
        const input = (issue as { input?: unknown }).input;
        if (discriminator !== undefined) {
          // zod's path may or may not end with the discriminator; the line always names it.
          const at = path.endsWith(`.${discriminator}`) || path === discriminator ? path : `${formatPath([...issue.path, discriminator])}`;
          const got = input && typeof input === 'object' ? (input as Record<string, unknown>)[discriminator] : input;
          if (discriminator === 'type') {
            const hint = typeof got === 'string' ? closestWord(got, sinkTypes) : undefined;
            lines.push(`${at}: unknown sink type ${describeInput(got)}; expected one of ${sinkTypes.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`);
          } else {
            const expected = (options ?? []).map((o) => JSON.stringify(o)).join(' or ');
            lines.push(`${at}: expected ${expected}, got ${describeInput(got)}`);
          }
          break;
        }
        // A union of types (a string or a list of them): when the input has the type of exactly
        // one option, that option's own problems are the ones to report.
        const matched = (errors ?? []).filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
        if (matched.length === 1) {
          lines.push(...formatIssues(matched[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] })), knownKeys, sinkTypes));
        } else if (matched.length === 0 && errors?.length) {
          const expected = errors.map((branch) => (branch[0] as { expected?: string } | undefined)?.expected ?? 'something else').join(' or ');
          lines.push(`${path}: expected ${expected}, got ${describeInput(input, issue.path)}`);
        } else {
          lines.push(`${path}: ${issue.message}`);
        }
        break;
      }
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
