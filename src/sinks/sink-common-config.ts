import { z } from 'zod';
import { startFromSchema } from '../cursor/start-from.js';

/** Config fields every sink has, whatever its type; spread into each sink's own strict schema. */
export const sinkCommonFields = {
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, ".", "_" or "-"')
    .refine((n) => n !== 'sinks', { error: '"sinks" is reserved (the dead-letter index uses it)' }).optional()
    .describe('Name used in logs, metrics, dead letters, positions and `--sink NAME`. Default: the type (suffixed with its position if repeated).'),
  events: z.array(z.string().regex(/^[a-z0-9_.]+$/, 'expected an event type such as dsync.user.created')).optional()
    .describe('Only these event types go to this sink; default all fetched. The cursor still moves past the others.'),
  maxAttempts: z.int().min(1).max(100).optional()
    .describe('Attempts per page before onFailure applies. Default: retry.maxAttempts.'),
  startFrom: startFromSchema.optional()
    .describe('Where this sink begins when it has no position of its own yet (a sink added to a running deployment): "earliest" (up to 30 days of history), "now" or an ISO time; `check` says where, and how far behind. Default: the top-level startFrom.'),
  after: z.string().min(1).optional()
    .describe('The name of a sink listed before this one: this sink never receives an event before that sink has committed it (e.g. an http sink after the postgres_mirror its handler reads). Default: none.'),
  onFailure: z.enum(['halt', 'dead-letter']).default('halt')
    .describe('What happens after maxAttempts. "halt": this sink waits, its position stays, /readyz and the sink_halted metric report it, and it tries again after a backoff of its own; the other sinks go on. "dead-letter" (needs cursor.store "redis"): for events a sink refuses (poison events), not outages: the sink is given the page\'s events one by one, those it still refuses go to a Redis Stream with their error, and the sink moves on. Never a silent skip. Default "halt".'),
};
