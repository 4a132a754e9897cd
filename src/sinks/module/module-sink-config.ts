import { z } from 'zod';
import { sinkCommonFields } from '../sink-common-config.js';

export const moduleSinkConfigSchema = z
  .strictObject({
    type: z.literal('module').describe('"module": a sink of your own, loaded from a module.'),
    ...sinkCommonFields,
    path: z.string().min(1).describe('The module to load: a path relative to the working directory ("./...") or absolute, or a package name. It exports `createSink(options, context)` (or a default export of that function). Required.'),
    options: z.record(z.string(), z.unknown()).default({}).describe('Passed to createSink as is; `${VAR}` works inside string values. Default {}.'),
  })
  .describe('A sink of your own, written against the exported Sink contract, loaded at start.');

export type ModuleSinkConfig = z.infer<typeof moduleSinkConfigSchema>;
