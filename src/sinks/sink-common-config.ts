import { z } from 'zod';

/** Config fields every sink has, whatever its type; spread into each sink's own strict schema. */
export const sinkCommonFields = {
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, ".", "_" or "-"')
    .refine((n) => n !== 'sinks', { error: '"sinks" is reserved (the dead-letter index uses it)' }).optional()
    .describe('Name used in logs, metrics and dead letters. Default: the type (suffixed with its position if repeated).'),
  events: z.array(z.string().regex(/^[a-z0-9_.]+$/, 'expected an event type such as dsync.user.created')).optional()
    .describe('Only these event types go to this sink; default all fetched. The cursor still moves past the others.'),
  maxAttempts: z.int().min(1).max(100).optional()
    .describe('Attempts per page before onFailure applies. Default: retry.maxAttempts.'),
  onFailure: z.enum(['halt', 'dead-letter']).default('halt')
    .describe('After maxAttempts: "halt" (default: the pipeline waits, the cursor stays, readiness reports it) or "dead-letter" (the events that still fail go to the dead-letter stream and the pipeline continues).'),
};
