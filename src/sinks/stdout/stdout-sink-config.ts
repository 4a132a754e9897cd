import { z } from 'zod';
import { sinkCommonFields } from '../sink-common-config.js';

export const stdoutSinkConfigSchema = z
  .strictObject({
    type: z.literal('stdout').describe('"stdout": each event as a JSON line on standard output.'),
    ...sinkCommonFields,
  })
  .describe('Writes each event as one JSON line to standard output, exactly as WorkOS sent it (logs go to standard error).');

export type StdoutSinkConfig = z.infer<typeof stdoutSinkConfigSchema>;
