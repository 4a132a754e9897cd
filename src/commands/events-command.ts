import { pino } from 'pino';
import { loadConfig } from '../config/load.js';
import type { Cursor } from '../cursor/cursor-store.js';
import { ConfigError } from '../errors.js';
import { pages } from '../pipeline/pager.js';
import { sleep } from '../retry/sleep.js';
import { withRetry } from '../retry/with-retry.js';
import { createEventsClient } from '../workos/events-client.js';
import { createLocalRateBudget } from '../workos/rate-budget.js';
import { apiOptionsFromConfig } from '../workos/api-options-from-config.js';
import { EXIT_OK, reportFailure, type CommandIO } from './command-io.js';

export interface EventsArgs {
  readonly after?: string | undefined;
  readonly from?: string | undefined;
  readonly types?: string | undefined;
  readonly organization?: string | undefined;
  readonly limit?: string | undefined;
}

function parseArgs(args: EventsArgs): { start: Cursor | null; types: string[]; limit: number } {
  const problems: string[] = [];
  if (args.after && args.from) problems.push('events: give --after or --from, not both (WorkOS does not combine them)');
  if (args.from && Number.isNaN(Date.parse(args.from))) problems.push(`events --from: expected an ISO time, got "${args.from}"`);
  const limit = args.limit === undefined ? 100 : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1) problems.push(`events --limit: expected a whole number above 0, got "${args.limit}"`);
  const types = args.types ? args.types.split(',').map((t) => t.trim()).filter(Boolean) : [];
  if (problems.length > 0) throw new ConfigError(problems);
  const start = args.after ? { id: args.after, createdAt: null } : args.from ? { id: null, createdAt: new Date(args.from).toISOString() } : null;
  return { start, types, limit };
}

/**
 * `events`: prints events as JSON lines, exactly as WorkOS sent them, without reading or moving the
 * cursor: for debugging, and for questions such as "what happened to this organization since
 * Monday?". Oldest first, from `--after` an event or `--from` a time (default: the oldest retained).
 */
export async function eventsCommand(configPath: string | undefined, args: EventsArgs, io: CommandIO): Promise<number> {
  try {
    const { start, types, limit } = parseArgs(args);
    const { config, apiKey } = await loadConfig({ path: configPath, env: io.env, requireApiKey: true });
    const budget = createLocalRateBudget({ requestsPerMinute: config.rateLimit.requestsPerMinute });
    const client = createEventsClient({ ...apiOptionsFromConfig(config, apiKey!), budget });
    const logger = pino({ level: 'silent' });
    const fetchPage: Parameters<typeof pages>[0] = (query) =>
      withRetry(() => client.fetchPage(query), { what: 'fetch a page of events', maxAttempts: config.retry.maxAttempts, backoff: config.retry, logger, sleep });
    const base = { limit: Math.min(100, limit), events: types, organizationId: args.organization };
    let printed = 0;
    try {
      for await (const page of pages(fetchPage, base, start)) {
        for (const event of page.events) {
          if (printed >= limit) return EXIT_OK;
          io.stdout.write(`${JSON.stringify(event)}\n`);
          printed++;
        }
        if (printed >= limit) return EXIT_OK;
      }
    } finally {
      await budget.close();
    }
    return EXIT_OK;
  } catch (err) {
    return reportFailure(io, err);
  }
}
