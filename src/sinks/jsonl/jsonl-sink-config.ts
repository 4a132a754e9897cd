import { z } from 'zod';
import { sinkCommonFields } from '../sink-common-config.js';

export const jsonlSinkConfigSchema = z
  .strictObject({
    type: z.literal('jsonl'),
    ...sinkCommonFields,
    path: z.string().min(1).describe('File to append to, one event per line (created with its folder if missing).'),
  })
  .describe('Appends each event as one JSON line to a file, flushed to disk before the cursor moves.');

export type JsonlSinkConfig = z.infer<typeof jsonlSinkConfigSchema>;
