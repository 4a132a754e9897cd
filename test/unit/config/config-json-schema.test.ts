import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, type JsonSchema } from '../../../src/config/config-json-schema.js';
import { parseConfig } from '../../../src/config/load.js';
import { sinkTypes } from '../../../src/sinks/registry.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const schema = configJsonSchema();

/** Every place a config key is defined: [path as a person writes it, its node, whether the object requires it]. */
function keysOf(node: JsonSchema, path = ''): [string, JsonSchema, boolean][] {
  const found: [string, JsonSchema, boolean][] = [];
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
    const key = path ? `${path}.${name}` : name;
    found.push([key, child, (node.required ?? []).includes(name)], ...keysOf(child, key));
  }
  if (node.items && typeof node.items === 'object') found.push(...keysOf(node.items as JsonSchema, `${path}[]`));
  for (const variant of (node.oneOf ?? node.anyOf ?? []) as JsonSchema[]) {
    const tag = Object.entries((variant.properties ?? {}) as Record<string, JsonSchema>).find(([, v]) => 'const' in v);
    found.push(...keysOf(variant, tag ? `${path}(${tag[0]}=${String(tag[1].const)})` : path));
  }
  return found;
}

/** Every object shape in the schema, with where it is. */
function objectsOf(node: JsonSchema, path = '(root)'): [string, JsonSchema][] {
  const own: [string, JsonSchema][] = node.properties ? [[path, node]] : [];
  const children = [
    ...Object.entries((node.properties ?? {}) as Record<string, JsonSchema>).map(([k, v]) => [`${path}.${k}`, v] as const),
    ...(node.items && typeof node.items === 'object' ? [[`${path}[]`, node.items as JsonSchema] as const] : []),
    ...((node.oneOf ?? node.anyOf ?? []) as JsonSchema[]).map((v, i) => [`${path}|${i}`, v] as const),
  ];
  return [...own, ...children.flatMap(([p, child]) => objectsOf(child, p))];
}

async function exampleConfigs(): Promise<string[]> {
  const examples = (await readdir(join(root, 'examples'))).filter((f) => f.endsWith('.json')).map((f) => join('examples', f));
  // The configs the container and the Kubernetes manifests ship, too.
  const deployed = ['deploy/docker/config.json', 'deploy/kubernetes/base/config.json', 'deploy/kubernetes/overlays/example/config.json'];
  return ['config.example.json', ...examples.sort(), ...deployed];
}

function validator(): ValidateFunction {
  // The date-time pattern zod writes beside `format` already checks the form, and ajv-formats is
  // no dependency of ours: the format is known, not checked twice.
  const ajv = new Ajv2020({ allErrors: true, strict: true, formats: { 'date-time': true } });
  return ajv.compile(JSON.parse(JSON.stringify(schema)) as object);
}

describe('the JSON Schema of the config (config.schema.json)', () => {
  it('describes every key, and says for each optional key without a default what its absence means', () => {
    const keys = keysOf(schema);
    expect(keys.length).toBeGreaterThan(100);
    expect(keys.filter(([, node]) => !node.description?.trim()).map(([key]) => key)).toEqual([]);
    const unsaid = keys.filter(([, node, required]) => !required && !('default' in node) && !/default/i.test(node.description ?? ''));
    expect(unsaid.map(([key]) => key)).toEqual([]);
  });

  it('refuses unknown keys in every object, as the loader does', () => {
    const open = objectsOf(schema).filter(([, node]) => node.additionalProperties !== false).map(([path]) => path);
    expect(open).toEqual([]);
  });

  it('tells the sinks apart by "type", one shape per sink the registry knows', () => {
    const sinks = schema.properties!.sinks as JsonSchema;
    const variants = (sinks.items as JsonSchema).oneOf as JsonSchema[];
    expect(variants.map((v) => (v.properties!.type as JsonSchema).const)).toEqual([...sinkTypes]);
    for (const variant of variants) expect(variant.required).toContain('type');
  });

  it('shows the defaults the loader fills in', () => {
    const config = parseConfig({ sinks: [{ type: 'stdout' }] }, {}) as unknown as Record<string, Record<string, unknown>>;
    const blocks = Object.entries(schema.properties as Record<string, JsonSchema>);
    let compared = 0;
    for (const [name, node] of blocks) {
      if ('default' in node && node.type !== 'object' && !node.oneOf) {
        expect(config[name], name).toEqual(node.default);
        compared++;
      }
      for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
        if (!('default' in child)) continue;
        expect(config[name]![key], `${name}.${key}`).toEqual(child.default);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('accepts config.example.json, every config in examples/ and the container and Kubernetes configs, each naming the shipped schema in "$schema"', async () => {
    const validate = validator();
    for (const file of await exampleConfigs()) {
      const config = JSON.parse(await readFile(join(root, file), 'utf8')) as Record<string, unknown>;
      expect(validate(config) ? [] : validate.errors, file).toEqual([]);
      expect(typeof config.$schema, file).toBe('string');
      expect(resolve(root, dirname(file), config.$schema as string), file).toBe(join(root, 'config.schema.json'));
      expect(() => parseConfig(config, { PGPASSWORD: 'x', RABBITMQ_PASSWORD: 'x', WORKOS_WEBHOOK_SECRET: 'x', REDIS_URL: 'redis://redis:6379' }), file).not.toThrow();
    }
  });

  it('refuses an unknown key, a sink without its required keys and a value of the wrong type, as an editor would show', () => {
    const validate = validator();
    const problems = (config: unknown) => (validate(config) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`));
    expect(problems({ pagesize: 10, sinks: [{ type: 'stdout' }] })).toContain(' must NOT have additional properties');
    expect(problems({ sinks: [{ type: 'http', url: 'https://app.example.com/hook' }] })).toContain("/sinks/0 must have required property 'secret'");
    expect(problems({ pageSize: 500, sinks: [{ type: 'stdout' }] })).toContain('/pageSize must be <= 100');
    expect(problems({ sinks: [] })).toContain('/sinks must NOT have fewer than 1 items');
    expect(problems({ cursor: { store: 'redis' }, sinks: [{ type: 'stdout' }] })).toContain("/cursor must have required property 'url'");
  });

  it('lets a config name its schema: the loader accepts "$schema" and ignores it', () => {
    const config = parseConfig({ $schema: './config.schema.json', sinks: [{ type: 'stdout' }] }, {});
    expect(config.sinks).toEqual([{ type: 'stdout', onFailure: 'halt' }]);
  });
});
