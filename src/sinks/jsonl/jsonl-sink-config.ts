import { z } from 'zod';
import { sinkCommonFields } from '../sink-common-config.js';

export const jsonlSinkConfigSchema = z
  .strictObject({
    type: z.literal('jsonl').describe('"jsonl": each event as a JSON line appended to a file.'),
    ...sinkCommonFields,
    path: z.string().min(1).describe('File to append to, one event per line (created with its folder if missing); relative paths resolve from the working directory. Required.'),
  })
  .describe('Appends each event as one JSON line to a file, flushed to disk before the cursor moves.');

export type JsonlSinkConfig = z.infer<typeof jsonlSinkConfigSchema>;
