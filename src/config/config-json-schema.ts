import { z } from 'zod';
import { configSchema } from './schema.js';

/** A JSON Schema document, as z.toJSONSchema emits it (draft 2020-12). */
export type JsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * The JSON Schema of a config file, shipped as config.schema.json for editors and written out by
 * `npm run schema`. It describes the file as a person writes it (`io: "input"`): keys with a
 * default are optional, and a default is shown where the schema has one. Refinements that JSON
 * Schema cannot say (a URL's port range, a cron expression, a sink named in `after`) are left to
 * `check`; nothing unrepresentable may slip in silently, so conversion throws on it.
 */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'throw' });
  const { $schema, ...rest } = schema;
  return {
    $schema,
    title: 'workos-events-sync config',
    description: 'The config file of workos-events-sync. Unknown keys are errors. Secrets never go in the file: the API key comes from WORKOS_API_KEY, other secrets as "${VAR}" inside string values.',
    ...rest,
  };
}
