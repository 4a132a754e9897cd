import cron from 'node-cron';
import { z } from 'zod';
import { startFromSchema } from '../cursor/start-from.js';
import { reconcileConfigIssues, reconcileConfigSchema } from '../reconcile/reconcile-config.js';
import { sinkConfigSchema } from '../sinks/registry.js';
import { sinkName } from '../sinks/sink-name.js';
import { urlField } from '../validation/url-field.js';

/** The default Redis key of the cursor. */
export const DEFAULT_CURSOR_KEY = 'workos-events-sync:cursor';
/** Where the cursor lives when no Redis is configured. */
export const DEFAULT_CURSOR_FILE = './.workos-events-sync/cursor.json';

const baseUrl = urlField({
  schemes: ['http', 'https'],
  example: 'https://api.workos.com',
  refine: (u) => (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash && !u.username && !u.password ? undefined
    : 'expected only scheme, host and port (the WorkOS SDK cannot add a path prefix), e.g. http://127.0.0.1:4100',
});

const workosSchema = z
  .strictObject({
    baseUrl: baseUrl.default('https://api.workos.com').describe('WorkOS API origin: scheme, host and port, no path (the WorkOS SDK cannot add a path prefix); http://127.0.0.1:4100 for a local emulator. Redirects are not followed, so it must be the API itself. Env: WORKOS_BASE_URL. Default https://api.workos.com.'),
    timeoutMs: z.int().min(1000).max(300_000).default(30_000).describe('Per-request timeout in ms; a timeout counts as a retryable failure. Default 30000.'),
  })
  .describe('Where to reach WorkOS. The API key is read only from the WORKOS_API_KEY environment variable.');

const maxAgeDays = z.number().positive().max(365).default(29)
  .describe('Report the cursor as stale (an error log line, /readyz 503, the cursor_stale metric) when a sink\'s position is an event older than this many days; WorkOS keeps events 30 days. Default 29.');

const redisCursorSchema = z.strictObject({
  store: z.literal('redis').describe('"redis": positions in Redis, which several replicas, the shared rate budget and dead letters need.'),
  maxAgeDays,
  url: urlField({ schemes: ['redis', 'rediss'], example: 'redis://redis:6379' }).describe('Redis URL, redis:// or rediss:// (TLS); a password goes in as ${VAR}, e.g. "redis://:${REDIS_PASSWORD}@redis:6379". Env: REDIS_URL (which also switches the cursor to Redis). Required.'),
  key: z.string().min(1).default(DEFAULT_CURSOR_KEY).describe(`Key holding the deployment's cursor (the slowest sink's position); each sink's own position is in the hash "<key>:sinks". Default "${DEFAULT_CURSOR_KEY}".`),
});

const fileCursorSchema = z.strictObject({
  store: z.literal('file').describe('"file": positions in a local file, for a single instance: the default when no Redis is configured.'),
  maxAgeDays,
  path: z.string().min(1).default(DEFAULT_CURSOR_FILE).describe(`Cursor file (every sink's position), replaced atomically; relative paths resolve from the working directory. Default "${DEFAULT_CURSOR_FILE}".`),
});

const startFrom = startFromSchema
  .default('earliest')
  .describe('Where a sink begins when it has no position yet: "earliest" (the oldest event WorkOS retains), "now", or an ISO time. "now" and a time are written to the cursor store at once, so a restart before the first event does not move the start. Each sink may set its own. Default "earliest".');

const retrySchema = z
  .strictObject({
    maxAttempts: z.int().min(1).max(100).default(6).describe('Attempts per request, sink write or cursor write within one drain; 429s do not count. After the last one the drain fails, the cursor stays, and the next tick starts over. Default 6.'),
    minDelayMs: z.int().min(1).default(500).describe('Ceiling of the first backoff, in ms: the waits between attempts grow exponentially, with full jitter. Default 500.'),
    maxDelayMs: z.int().min(1).default(30_000).describe('Largest backoff, in ms; at least minDelayMs. Default 30000.'),
    defaultRetryAfterMs: z.int().min(0).default(5_000).describe('Wait after a 429 without a usable Retry-After, in ms. Default 5000.'),
    maxRetryAfterMs: z.int().min(1).default(120_000).describe('Cap on any Retry-After wait, in ms. Default 120000.'),
  })
  .describe('Backoff for WorkOS requests, cursor writes and sink writes.');

const leaderSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Elect one poller among instances sharing the Redis cursor, through a lease; the others stand by. Needs cursor.store "redis"; ignored for a file cursor. Default true.'),
    key: z.string().min(1).default('workos-events-sync:leader').describe('Redis key of the lease. Default "workos-events-sync:leader".'),
    ttlMs: z.int().min(1000).default(15_000).describe('Lease time-to-live in ms: a standby takes over within about this long after the leader dies. Default 15000.'),
    renewIntervalMs: z.int().min(100).default(5_000).describe('How often the leader renews (and a standby tries to take over and reads the cursor), in ms; at most half of ttlMs. Default 5000.'),
    safetyMarginMs: z.int().min(0).optional().describe('The leader starts no sink request within this long of its lease running out by its own clock (after a pause, or cut off from Redis). Must leave room for a renew interval: renewIntervalMs + safetyMarginMs < ttlMs. Default: a fifth of ttlMs.'),
  })
  .describe('Leader election, so that several replicas can run safely.');

const rateLimitSchema = z
  .strictObject({
    requestsPerMinute: z.int().min(1).max(6000).default(600).describe('Client-side cap on requests to WorkOS (catch-up, retries and idle polls alike). WorkOS allows 6000 a minute per key, shared with your app. Default 600.'),
    burst: z.int().min(1).optional().describe('Requests that may go out back to back before the cap applies. Default: about 5 seconds\' worth.'),
    shared: z.boolean().default(true).describe('Share one budget through Redis among every instance using the same API key (the Redis key is a hash of the API key, never the key), and a 429 holds them all back for its Retry-After. Needs cursor.store "redis"; falls back to a local budget while Redis is down. Default true.'),
  })
  .describe('The client-side rate budget.');

const httpSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve /healthz, /readyz and /metrics (and the webhook endpoint). Default true.'),
    host: z.string().min(1).default('0.0.0.0').describe('Address to listen on. Default "0.0.0.0".'),
    port: z.int().min(0).max(65535).default(8080).describe('Port; 0 picks a free one. Default 8080.'),
  })
  .describe('The HTTP server of `run`: /healthz, /readyz, /metrics, and the webhook endpoint when WORKOS_WEBHOOK_SECRET is set.');

const webhookSchema = z
  .strictObject({
    path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'expected a path such as /webhooks/workos').default('/webhooks/workos').describe('Path of the webhook endpoint on the HTTP server. Default "/webhooks/workos".'),
    toleranceMs: z.int().min(1000).default(180_000).describe('How far a delivery\'s signature timestamp may be from now, in ms, past or future (the SDK\'s tolerance). Default 180000 (3 minutes).'),
    maxBodyBytes: z.int().min(1024).default(1_048_576).describe('Largest delivery body, in bytes; larger ones get 413. The body is read raw, never re-serialised. Default 1048576 (1 MiB).'),
    allowedIps: z.array(z.string().min(1)).default([]).describe('Source addresses allowed to deliver; "workos" stands for WorkOS\'s published list. Empty (default): any.'),
    trustedProxyHops: z.int().min(0).max(10).default(0).describe('Proxies in front of the daemon that append to X-Forwarded-For: the client is that many entries from the right. 0 (default) uses the socket address.'),
    crossCheckAfterMs: z.int().min(1000).default(300_000).describe('How long the Events API has to deliver an event a webhook announced, in ms; past it, an error is logged and webhooks_unconfirmed_total counts it. Default 300000 (5 minutes).'),
  })
  .describe('The webhook doorbell: enabled when WORKOS_WEBHOOK_SECRET is set. A verified delivery makes the daemon drain at once.');

const deadLetterSchema = z
  .strictObject({
    keyPrefix: z.string().min(1).default('workos-events-sync:dlq').describe('Prefix of the Redis Streams holding dead letters (one stream per sink). Default "workos-events-sync:dlq".'),
  })
  .describe('Where sinks with onFailure "dead-letter" put the events they could not accept (Redis, the cursor\'s).');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of this JSON Schema (config.schema.json, shipped with the package), so that editors complete and check the file. The daemon ignores it. Default: none.'),
    workos: workosSchema.prefault({}),
    events: z.array(z.string().regex(/^[a-z0-9_.]+$/, 'expected an event type such as dsync.user.created')).default([]).describe('Event types to fetch, e.g. ["dsync.user.created", "dsync.user.deleted"]; empty means all. Default [].'),
    organizationId: z.string().min(1).optional().describe('Only events tied to this organization; user-level events such as user.created are not. Default: every organization.'),
    pageSize: z.int().min(1).max(100).default(100).describe('Events per request, 1..100. Default 100.'),
    schedule: z
      .string()
      .refine((expr) => cron.validate(expr), { error: 'expected a node-cron expression such as "*/10 * * * * *" (every 10 s)' })
      .default('*/10 * * * * *')
      .describe('node-cron expression, with an optional seconds field. Each tick drains until caught up; ticks never overlap. Default every 10 s.'),
    startFrom,
    cursor: z.discriminatedUnion('store', [redisCursorSchema, fileCursorSchema]).prefault({ store: 'file' }).describe('Where the sinks\' positions are kept (the postgres sinks keep theirs in their own database too). Default: a file.'),
    sinks: z.array(sinkConfigSchema).min(1, 'expected at least one sink, e.g. [{ "type": "stdout" }]').describe('Where events go. Each sink has its own position, moved only after that sink accepted the page, and goes at its own pace.'),
    retry: retrySchema.prefault({}),
    leader: leaderSchema.prefault({}),
    rateLimit: rateLimitSchema.prefault({}),
    deadLetter: deadLetterSchema.prefault({}),
    http: httpSchema.prefault({}),
    webhook: webhookSchema.prefault({}),
    reconcile: reconcileConfigSchema.prefault({}),
    shutdownGraceMs: z.int().min(0).default(10_000).describe('On SIGTERM or SIGINT, how long the page in flight may take to finish and commit, in ms. Default 10000.'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level. Env: LOG_LEVEL. Default "info".'),
    logFormat: z.enum(['json', 'pretty']).default('json').describe('"json" (one object per line, for log pipelines) or "pretty" (colours, for a terminal). Env: LOG_FORMAT. Default "json".'),
  })
  .superRefine((config, ctx) => {
    if (config.retry.minDelayMs > config.retry.maxDelayMs) {
      ctx.addIssue({ code: 'custom', path: ['retry', 'minDelayMs'], message: 'must not be larger than retry.maxDelayMs' });
    }
    if (config.leader.renewIntervalMs * 2 > config.leader.ttlMs) {
      ctx.addIssue({ code: 'custom', path: ['leader', 'renewIntervalMs'], message: 'must be at most half of leader.ttlMs, or the lease can lapse between renewals' });
    }
    const { safetyMarginMs, renewIntervalMs, ttlMs } = config.leader;
    if (safetyMarginMs !== undefined && renewIntervalMs + safetyMarginMs >= ttlMs) {
      ctx.addIssue({ code: 'custom', path: ['leader', 'safetyMarginMs'], message: `must be less than leader.ttlMs minus leader.renewIntervalMs (${ttlMs - renewIntervalMs}), or the leader would stop writing between two renewals` });
    }
    if (config.cursor.store !== 'redis') {
      config.sinks.forEach((sink, i) => {
        if (sink.onFailure === 'dead-letter') ctx.addIssue({ code: 'custom', path: ['sinks', i, 'onFailure'], message: '"dead-letter" needs Redis: set cursor.store to "redis" (or REDIS_URL)' });
      });
    }
    for (const issue of reconcileConfigIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
    const seen = new Map<string, number>();
    config.sinks.forEach((sink, i) => {
      if (sink.name === undefined) return;
      const first = seen.get(sink.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['sinks', i, 'name'], message: `"${sink.name}" is already the name of sinks[${first}]` });
      else seen.set(sink.name, i);
    });
    const names = config.sinks.map((sink, i) => sinkName(sink, i, config.sinks));
    config.sinks.forEach((sink, i) => {
      if (sink.after === undefined) return;
      const upstream = names.indexOf(sink.after);
      // Listed before: so the order of the list is an order in which every sink's upstream exists, and no cycle can be written.
      if (upstream < 0 || upstream >= i) {
        const earlier = names.slice(0, i);
        ctx.addIssue({ code: 'custom', path: ['sinks', i, 'after'], message: `expected the name of a sink listed before this one (${earlier.length > 0 ? earlier.map((n) => `"${n}"`).join(', ') : 'there is none'}), got "${sink.after}"` });
      }
    });
  });

/** The validated config, with every default filled in. */
export type Config = z.infer<typeof configSchema>;
export type CursorConfig = Config['cursor'];
export type RetryConfig = Config['retry'];
