import type { JsonSchema } from '../../src/config/config-json-schema.js';
import { escapeText, markdownTable } from './markdown-table.js';
import { isObjectWithProperties, propertiesOf, rowsOf, sharedKeys, tagValue, taggedUnionOf, unionRows, type Row, type TaggedUnion } from './schema-rows.js';

/** Where a sink type's page is, as a link from the page the text goes into. */
export type SinkPageLink = (type: string) => string;

function sinksUnion(schema: JsonSchema): TaggedUnion {
  const items = (schema.properties?.sinks as JsonSchema | undefined)?.items as JsonSchema | undefined;
  const union = items && taggedUnionOf(items);
  if (!union) throw new Error('the config schema has no "sinks" array of sink configs told apart by "type"');
  return union;
}

function sinkVariant(schema: JsonSchema, type: string): JsonSchema {
  const variant = sinksUnion(schema).variants.find((v) => tagValue(v, 'type') === type);
  if (!variant) throw new Error(`the config schema has no sink of type "${type}"`);
  return variant;
}

function topLevel(schema: JsonSchema, key: string): JsonSchema {
  const node = schema.properties?.[key] as JsonSchema | undefined;
  if (!node) throw new Error(`the config schema has no top-level key "${key}"`);
  return node;
}

/** The keys every sink has, with `type` first, its values linked to their pages. */
export function commonSinkRows(schema: JsonSchema, sinkPage: SinkPageLink): Row[] {
  const union = sinksUnion(schema);
  const shared = sharedKeys(union);
  const types = union.variants.map((v) => tagValue(v, 'type'));
  const links = types.map((t) => `[\`${t}\`](${sinkPage(t)})`).join(', ');
  const typeRow: Row = { key: 'type', type: 'string', default: 'required', meaning: `The kind of sink, one of ${links}.`, markdown: true };
  const others = propertiesOf(union.variants[0]!).map(([k]) => k).filter((k) => !shared.has(k));
  return [typeRow, ...rowsOf(union.variants[0]!, '', new Set(others))];
}

/** The keys of one sink type beyond those every sink has. */
export function sinkRows(schema: JsonSchema, type: string): Row[] {
  const union = sinksUnion(schema);
  return rowsOf(sinkVariant(schema, type), '', new Set([union.tag, ...sharedKeys(union)]));
}

export function sinkTable(schema: JsonSchema, type: string): string {
  const rows = sinkRows(schema, type);
  return rows.length === 0 ? 'No keys besides those every sink has.' : markdownTable(rows);
}

export function commonSinkTable(schema: JsonSchema, sinkPage: SinkPageLink): string {
  return markdownTable(commonSinkRows(schema, sinkPage));
}

/** The rows of one top-level object (`webhook`, `reconcile`) or tagged union (`cursor`), keys in full. */
export function sectionRows(schema: JsonSchema, key: string): Row[] {
  const node = topLevel(schema, key);
  const union = taggedUnionOf(node);
  if (union) return unionRows(node, union, `${key}.`);
  if (!isObjectWithProperties(node)) throw new Error(`the config key "${key}" is not an object`);
  return rowsOf(node, `${key}.`);
}

export function sectionTable(schema: JsonSchema, key: string): string {
  return markdownTable(sectionRows(schema, key));
}

function paragraph(text: string | undefined): string[] {
  return text ? [escapeText(text), ''] : [];
}

/**
 * The whole reference: the top-level keys, then each block of keys (`workos`, `cursor`, `sinks`,
 * `retry`, ...) in the schema's order; for `sinks`, the keys every sink has, then each type's own.
 * Headings are `###` and `####`, for a page that puts them under a `##` of its own.
 */
export function renderReference(schema: JsonSchema, sinkPage: SinkPageLink): string {
  const out: string[] = ['### Top level', '', ...paragraph(schema.description)];
  const entries = propertiesOf(schema);
  const isBlock = (node: JsonSchema) => isObjectWithProperties(node) || taggedUnionOf(node) !== undefined;
  const leaves = entries.filter(([key, node]) => key !== 'sinks' && !isBlock(node)).map(([key]) => key);
  out.push(markdownTable(rowsOf(schema, '', new Set(entries.map(([key]) => key).filter((k) => !leaves.includes(k))))), '');
  for (const [key, node] of entries) {
    if (key === 'sinks') {
      const required = (schema.required ?? []).includes(key) ? `Required, at least ${String(node.minItems ?? 0)}.` : 'Optional.';
      out.push('### `sinks`', '', ...paragraph(node.description), required, '', '#### Every sink', '', commonSinkTable(schema, sinkPage), '');
      for (const variant of sinksUnion(schema).variants) {
        const type = tagValue(variant, 'type');
        out.push(`#### Sink \`${type}\``, '', ...paragraph(variant.description), `More on this sink: [${type}](${sinkPage(type)}).`, '', sinkTable(schema, type), '');
      }
    } else if (isBlock(node)) {
      out.push(`### \`${key}\``, '', ...paragraph(node.description), sectionTable(schema, key), '');
    }
  }
  return out.join('\n').trimEnd();
}
