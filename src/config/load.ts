import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { sinkTypes } from '../sinks/registry.js';
import { readApiKey } from './api-key.js';
import { applyEnvOverrides, DEFAULT_CONFIG_PATH, ENV, type Env } from './env.js';
import { formatIssues } from './format-issues.js';
import { configSchema, type Config } from './schema.js';
import { readSecretEnv, secretEnvReader } from './secret-env.js';
import { substituteEnv } from './substitute-env.js';

export interface LoadedConfig {
  readonly config: Config;
  readonly configPath: string;
  /** Present when `requireApiKey` was set (commands that call WorkOS). */
  readonly apiKey: string | undefined;
  /** WORKOS_WEBHOOK_SECRET (or the file WORKOS_WEBHOOK_SECRET_FILE names): turns the webhook endpoint on. */
  readonly webhookSecret: string | undefined;
}

export interface LoadOptions {
  /** `--config`; falls back to WORKOS_EVENTS_SYNC_CONFIG, then ./config.json. */
  readonly path?: string | undefined;
  readonly env: Env;
  readonly requireApiKey: boolean;
}

/** Every key name the schema knows, for "did you mean" hints. */
function collectKeys(schema: unknown, into = new Set<string>()): Set<string> {
  if (schema && typeof schema === 'object') {
    const node = schema as Record<string, unknown>;
    if (node.properties && typeof node.properties === 'object') for (const key of Object.keys(node.properties)) into.add(key);
    for (const value of Object.values(node)) collectKeys(value, into);
  }
  return into;
}
let knownKeys: string[] | undefined;

/** The config paths that environment variables set (applyEnvOverrides), so a bad value says where it came from. */
const OVERRIDDEN_BY: Readonly<Record<string, string>> = {
  'workos.baseUrl': ENV.baseUrl,
  'cursor.url': ENV.redisUrl,
  logLevel: ENV.logLevel,
  logFormat: ENV.logFormat,
};

/** `sinks[0].url: reason` -> `sinks[0].url`. */
function pathOf(problem: string): string {
  return problem.slice(0, problem.indexOf(': '));
}

/** Validates an already-parsed config object (the file's JSON) against the schema and the env. */
export function parseConfig(raw: unknown, env: Env): Config {
  const problems: string[] = [];
  const read = secretEnvReader(env);
  const substituted = substituteEnv(raw, read, problems);
  if (substituted === null || typeof substituted !== 'object' || Array.isArray(substituted)) {
    throw new ConfigError(['(root): expected a JSON object']);
  }
  // A Redis URL with a password is a secret like the others: REDIS_URL_FILE may hold it.
  const redisUrl = read(ENV.redisUrl);
  if ('problem' in redisUrl) problems.push(`cursor.url: ${redisUrl.problem}`);
  const effective: Env = { ...env, [ENV.redisUrl]: 'value' in redisUrl ? redisUrl.value : undefined };
  const merged = applyEnvOverrides(substituted as Record<string, unknown>, effective);
  const result = configSchema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    knownKeys ??= [...collectKeys(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }))];
    // A value whose ${VAR} (or its VAR_FILE) is missing is reported once, as the missing variable.
    const reported = new Set(problems.map(pathOf));
    for (const line of formatIssues(result.error.issues, knownKeys, sinkTypes)) {
      if (reported.has(pathOf(line))) continue;
      const variable = OVERRIDDEN_BY[pathOf(line)];
      const from = variable === ENV.redisUrl && 'from' in redisUrl ? redisUrl.from : variable;
      problems.push(variable && effective[variable] ? `${line} (set by ${from})` : line);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

function describeJsonError(text: string, err: Error): string {
  const match = /position (\d+)/.exec(err.message);
  if (!match) return err.message.replace(/\s+/g, ' ');
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${err.message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

/** Reads, substitutes, overrides and validates the config; throws a ConfigError listing every problem. */
export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const configPath = options.path ?? options.env[ENV.configPath] ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : `unreadable (${code ?? (err as Error).message})`;
    throw new ConfigError([`config file ${configPath} ${why}: pass --config PATH or set ${ENV.configPath}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`config file ${configPath} is not valid JSON: ${describeJsonError(text, err as Error)}`]);
  }
  let config: Config | undefined;
  const problems: string[] = [];
  try {
    config = parseConfig(raw, options.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  let apiKey: string | undefined;
  if (options.requireApiKey) {
    const key = readApiKey(options.env);
    if ('problem' in key) problems.push(key.problem);
    else apiKey = key.apiKey;
  }
  const webhook = readSecretEnv(options.env, ENV.webhookSecret);
  if ('problem' in webhook) problems.push(webhook.problem);
  if (problems.length > 0 || !config) throw new ConfigError(problems.map((p) => `${configPath}: ${p}`));
  const webhookSecret = ('value' in webhook ? webhook.value?.trim() : undefined) || undefined;
  return { config, configPath, apiKey, webhookSecret };
}
