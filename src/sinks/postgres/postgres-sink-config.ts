import { z } from 'zod';
import { sinkCommonFields } from '../sink-common-config.js';
import { sqlNameField } from '../../postgres/sql-names.js';
import { postgresConnectionFields } from '../../postgres/postgres-connection-fields.js';
import { MAX_SCHEMA_NAME_LENGTH, MAX_TABLE_NAME_LENGTH } from './postgres-table.js';

export const postgresSinkConfigSchema = z
  .strictObject({
    type: z.literal('postgres').describe('"postgres": each event as a row of a table.'),
    ...sinkCommonFields,
    ...postgresConnectionFields,
    schema: sqlNameField(MAX_SCHEMA_NAME_LENGTH).default('public')
      .describe('Schema of the table, created on open if missing. A plain SQL name (letters, digits and _, not starting with a digit), case-sensitive (always quoted). Default "public".'),
    table: sqlNameField(MAX_TABLE_NAME_LENGTH).default('workos_events')
      .describe('Table of events, created on open if missing, with "<table>_migrations" and "<table>_positions" beside it. A plain SQL name, case-sensitive (always quoted), at most 52 characters. Default "workos_events".'),
  })
  .describe('Inserts each event as a row (id, type, organization, created_at, the JSON as jsonb), one statement (one transaction) per page, ignoring ids already stored, and keeps its position in "<table>_positions" in that same statement (exactly-once).');

export type PostgresSinkConfig = z.infer<typeof postgresSinkConfigSchema>;
