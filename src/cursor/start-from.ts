import { z } from 'zod';

const message = 'expected "earliest", "now" or an ISO time such as 2026-01-15T00:00:00Z';

/** Where a sink begins when it has no position yet: the oldest retained event, now, or a time. */
export const startFromSchema = z.union([z.literal('earliest'), z.literal('now'), z.iso.datetime({ offset: true, error: message })], { error: message });

export type StartFrom = z.infer<typeof startFromSchema>;
