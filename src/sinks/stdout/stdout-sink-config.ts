import { z } from 'zod';
import { sinkCommonFields } from '../sink-common-config.js';

export const stdoutSinkConfigSchema = z
  .strictObject({
    type: z.literal('stdout'),
    ...sinkCommonFields,
  })
  .describe('Writes each event as one JSON line to standard output (logs go to standard error).');

export type StdoutSinkConfig = z.infer<typeof stdoutSinkConfigSchema>;
