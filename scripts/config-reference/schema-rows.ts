import { isDeepStrictEqual } from 'node:util';
import type { JsonSchema } from '../../src/config/config-json-schema.js';

/** One line of a reference table: a key of the config and what the schema says of it. */
export interface Row {
  readonly key: string;
  /** Markdown: the type in words, code spans for literal values. */
  readonly type: string;
  /** Markdown: the default as JSON in a code span, "required" or "unset". */
  readonly default: string;
  /** The field's description, as written in the zod schema (plain text, escaped by the table). */
  readonly meaning: string;
  /** The meaning is Markdown made by the generator (links), not a description to escape. */
  readonly markdown?: boolean;
}

/** A union of object shapes told apart by one key holding a constant (`store`, `type`). */
export interface TaggedUnion {
  readonly tag: string;
  readonly variants: readonly JsonSchema[];
}

const code = (value: unknown) => `\`${JSON.stringify(value)}\``;

/** z.int() bounds every integer at Number.MAX_SAFE_INTEGER; that bound says nothing to a reader. */
const bound = (n: unknown) => (typeof n === 'number' && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);

function range(node: JsonSchema): string {
  const min = bound(node.minimum);
  const max = bound(node.maximum);
  const above = bound(node.exclusiveMinimum);
  if (above !== undefined) return max === undefined ? ` > ${above}` : ` > ${above}, at most ${max}`;
  if (min !== undefined && max !== undefined) return ` ${min} to ${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  return max === undefined ? '' : ` ≤ ${max}`;
}

/** The type of a node in words, e.g. `integer 1 to 100`, `"halt" or "dead-letter"`, `array of string`. */
export function typeOf(node: JsonSchema): string {
  if ('const' in node) return code(node.const);
  if (node.enum) return node.enum.map(code).join(' or ');
  const union = node.anyOf ?? node.oneOf;
  if (union) return union.map((n) => typeOf(n as JsonSchema)).join(' or ');
  switch (node.type) {
    case 'string': return node.format === 'date-time' ? 'ISO time' : 'string';
    case 'integer': case 'number': return `${node.type}${range(node)}`;
    case 'array': return `array of ${typeOf(node.items as JsonSchema)}`;
    case 'object': {
      const values = node.additionalProperties;
      return values && typeof values === 'object' && values.type ? `object of ${typeOf(values)}` : 'object';
    }
    default: return String(node.type ?? 'any');
  }
}

export function propertiesOf(node: JsonSchema): [string, JsonSchema][] {
  return Object.entries(node.properties ?? {}) as [string, JsonSchema][];
}

export function isObjectWithProperties(node: JsonSchema): boolean {
  return node.type === 'object' && node.properties !== undefined;
}

/** The node's variants when it is a union of objects that share a constant-valued key, else undefined. */
export function taggedUnionOf(node: JsonSchema): TaggedUnion | undefined {
  const variants = (node.oneOf ?? node.anyOf) as JsonSchema[] | undefined;
  if (!variants?.every(isObjectWithProperties)) return undefined;
  const tag = propertiesOf(variants[0]!).find(([key]) => variants.every((v) => v.properties?.[key] && 'const' in (v.properties[key] as JsonSchema)))?.[0];
  return tag === undefined ? undefined : { tag, variants };
}

export function tagValue(variant: JsonSchema, tag: string): string {
  return String((variant.properties![tag] as JsonSchema).const);
}

function defaultOf(node: JsonSchema, required: boolean): string {
  if ('default' in node) return code(node.default);
  return required ? 'required' : 'unset';
}

/**
 * The rows of an object's keys, `prefix` before each: a nested object (NATS `stream`) gets a
 * row of its own, then a row per key inside it.
 */
export function rowsOf(node: JsonSchema, prefix = '', skip: ReadonlySet<string> = new Set()): Row[] {
  const required = new Set(node.required ?? []);
  return propertiesOf(node).filter(([name]) => !skip.has(name)).flatMap(([name, child]) => {
    const key = `${prefix}${name}`;
    const row: Row = { key, type: typeOf(child), default: defaultOf(child, required.has(name)), meaning: child.description ?? '' };
    if (!isObjectWithProperties(child)) return [row];
    return [{ ...row, type: 'object' }, ...rowsOf(child, `${key}.`)];
  });
}

/**
 * The rows of a tagged union (`cursor`): the tag once with every value's description, then each
 * other key once, said to belong to the variants that have it when not all do.
 */
export function unionRows(node: JsonSchema, union: TaggedUnion, prefix: string): Row[] {
  const { tag, variants } = union;
  const unionDefault = node.default as Record<string, unknown> | undefined;
  const tagRow: Row = {
    key: `${prefix}${tag}`,
    type: variants.map((v) => code(tagValue(v, tag))).join(' or '),
    default: unionDefault?.[tag] === undefined ? 'required' : code(unionDefault[tag]),
    meaning: variants.map((v) => (v.properties![tag] as JsonSchema).description ?? '').join(' '),
  };
  const rows: Row[] = [tagRow];
  const seen = new Set([tag]);
  for (const variant of variants) {
    for (const [name] of propertiesOf(variant)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const having = variants.filter((v) => v.properties?.[name] !== undefined);
      const [row] = rowsOf({ ...variant, properties: { [name]: variant.properties![name]! } }, prefix);
      const everywhere = having.length === variants.length && having.every((v) => isDeepStrictEqual(v.properties![name], variant.properties![name]));
      const only = having.map((v) => `"${tag}": ${JSON.stringify(tagValue(v, tag))}`).join(' or ');
      rows.push(everywhere ? row! : { ...row!, meaning: `With ${only}. ${row!.meaning}` });
    }
  }
  return rows;
}

/** The keys every variant has, alike in each (the common sink fields), apart from the tag. */
export function sharedKeys(union: TaggedUnion): Set<string> {
  const [first, ...rest] = union.variants;
  return new Set(propertiesOf(first!).map(([name]) => name).filter((name) =>
    name !== union.tag && rest.every((v) => isDeepStrictEqual(v.properties?.[name], first!.properties![name]))));
}
