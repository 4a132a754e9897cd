import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { urlField } from '../../config/url-field.js';
import { WesError } from '../../errors.js';
import { redactUrl } from '../../observability/redact-url.js';
import { sinkCommonFields } from '../sink-common-config.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import { defineAppendOnce, queueAppendOnce } from './append-once-script.js';
import { isRetryableRedisError, redisStreamsError } from './classify-redis-streams-error.js';
import { createRedisStreamsClient } from './redis-streams-client.js';
import { compileStreamName, unknownPlaceholders } from './stream-name-template.js';

/** The default stream: every event in one stream. */
export const DEFAULT_STREAM = 'workos:events';
/** The default prefix of the keys that remember which event ids were written. */
export const DEFAULT_DEDUPE_KEY_PREFIX = 'workos-events-sync:redis-streams:seen';
/** How long an event id is remembered by default: 7 days, in seconds. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 604_800;

/** The config of a `redis_streams` sink entry (strict: unknown keys are errors). */
export const redisStreamsSinkConfigSchema = z
  .strictObject({
    type: z.literal('redis_streams'),
    ...sinkCommonFields,
    url: urlField({ schemes: ['redis', 'rediss'], example: 'redis://:${REDIS_PASSWORD}@redis:6379' })
      .describe('Redis URL, redis:// or rediss:// (TLS). Put a password in as ${VAR}, e.g. "redis://:${REDIS_PASSWORD}@redis:6379". Required.'),
    stream: z.string().min(1)
      .refine((t) => unknownPlaceholders(t).length === 0, { error: 'expected only the placeholders {event} and {organization_id}' })
      .default(DEFAULT_STREAM)
      .describe(`Stream name template: {event} is the event type, {organization_id} the event's organization (or "none"), e.g. "workos:events:{event}". Default "${DEFAULT_STREAM}".`),
    maxLen: z.int().min(1).optional()
      .describe('Approximate cap on entries per stream (XADD MAXLEN ~ n): older entries are trimmed. Default: no trimming.'),
    dedupeTtlSeconds: z.int().min(1).default(DEFAULT_DEDUPE_TTL_SECONDS)
      .describe(`How long, in seconds, a written event id is remembered so that a replay does not add it again. Default ${DEFAULT_DEDUPE_TTL_SECONDS} (7 days).`),
    dedupeKeyPrefix: z.string().min(1).default(DEFAULT_DEDUPE_KEY_PREFIX)
      .describe(`Prefix of the keys remembering written ids: <prefix>:<stream>:<event id>. Default "${DEFAULT_DEDUPE_KEY_PREFIX}".`),
    connectTimeoutMs: z.int().min(100).max(300_000).default(5_000)
      .describe('How long connecting to Redis may take, in ms. Default 5000.'),
    commandTimeoutMs: z.int().min(100).max(300_000).default(5_000)
      .describe('How long a page may wait for Redis to answer, in ms; then the write fails as retryable. Default 5000.'),
  })
  .describe('Appends each event (fields id, event, created_at, payload) to a Redis Stream named by a template; a replay adds nothing for ids already written.');

export type RedisStreamsSinkConfig = z.infer<typeof redisStreamsSinkConfigSchema>;

/**
 * One page is one pipeline of script calls, one per event, on the sink's own connection: Redis
 * runs them in order, so each stream receives the page's events in order. Each call appends its
 * event and records its id atomically (see append-once-script.ts), so a replay of a page that was
 * fully or partly written adds only the entries that are missing.
 */
class RedisStreamsSink implements Sink {
  readonly type = 'redis_streams';
  private readonly where: string;
  private readonly streamName: ReturnType<typeof compileStreamName>;
  /** The current client; close() drops it and a later open() makes a new one. */
  private redis: Redis | undefined;
  private opening: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(readonly name: string, private readonly config: RedisStreamsSinkConfig, private readonly logger: Logger) {
    this.where = redactUrl(config.url);
    this.streamName = compileStreamName(config.stream);
  }

  async open(): Promise<void> {
    await this.connected();
  }

  /**
   * The client, connected once. While ioredis is already (re)connecting there is nothing to wait
   * for: it keeps trying in the background, and commands fail fast as retryable until it is back.
   */
  private async connected(): Promise<Redis> {
    this.closing = undefined;
    const redis = (this.redis ??= this.newClient());
    if (redis.status === 'wait') {
      // A refused connection rejects connect() with a bare "Connection is closed."; the socket's
      // own error (ECONNREFUSED, ENOTFOUND, a TLS failure) says why, so that one is reported.
      let socketError: unknown;
      const onError = (err: unknown) => (socketError ??= err);
      redis.on('error', onError);
      const opening = redis.connect().catch((err: unknown) => {
        throw redisStreamsError(this.name, `connect to ${this.where}`, socketError ?? err);
      }).finally(() => {
        redis.off('error', onError);
        if (this.opening === opening) this.opening = undefined;
      });
      this.opening = opening;
    }
    await this.opening;
    return redis;
  }

  private newClient(): Redis {
    const redis = createRedisStreamsClient({
      url: this.config.url,
      where: this.where,
      sinkName: this.name,
      connectTimeoutMs: this.config.connectTimeoutMs,
      commandTimeoutMs: this.config.commandTimeoutMs,
      logger: this.logger,
    });
    defineAppendOnce(redis);
    return redis;
  }

  async write(page: SinkPage): Promise<void> {
    if (page.events.length === 0) return;
    // No await when connected, so the page is on the wire before a close() called right after
    // this write sends QUIT: the write then settles with Redis's replies.
    const redis = this.redis?.status === 'ready' ? this.redis : await this.connected();
    const { dedupeKeyPrefix, dedupeTtlSeconds, maxLen } = this.config;
    const pipeline = redis.pipeline();
    for (const event of page.events) {
      const stream = this.streamName(event);
      queueAppendOnce(pipeline, { dedupeKey: `${dedupeKeyPrefix}:${stream}:${event.id}`, stream, dedupeTtlSeconds, maxLen, event });
    }
    let replies: Array<[Error | null, unknown]> | null;
    try {
      replies = await pipeline.exec();
    } catch (err) {
      throw redisStreamsError(this.name, `append ${page.events.length} events to Redis streams at ${this.where}`, err);
    }
    if (!replies || replies.length !== page.events.length) {
      throw new WesError('WES_ERR_SINK_UNAVAILABLE', `sink "${this.name}" got ${replies?.length ?? 0} replies from Redis for ${page.events.length} events`, { retryable: true });
    }
    this.checkReplies(page, replies);
  }

  /**
   * Every reply is checked: one failed append fails the page (the others are in, and a replay
   * skips them). The page is retryable when any failure may pass, so a connection that dropped
   * half-way is retried, and rejected only when every failure is one Redis will keep refusing.
   */
  private checkReplies(page: SinkPage, replies: ReadonlyArray<[Error | null, unknown]>): void {
    const failures = replies.flatMap(([err], i) => (err ? [{ err, event: page.events[i]! }] : []));
    if (failures.length === 0) {
      const added = replies.filter(([, entry]) => entry !== 0).length;
      this.logger.debug({ sink: this.name, added, skipped: page.events.length - added }, 'appended a page to Redis streams');
      return;
    }
    const first = failures.find((f) => isRetryableRedisError(f.err)) ?? failures[0]!;
    const action = `append event ${first.event.id} (${failures.length} of ${page.events.length} events failed) to stream "${this.streamName(first.event)}" at ${this.where}`;
    throw redisStreamsError(this.name, action, first.err);
  }

  /** PING on the sink's connection: cheap, and fails fast while Redis is unreachable. */
  async probe(): Promise<void> {
    const redis = await this.connected();
    try {
      await redis.ping();
    } catch (err) {
      throw redisStreamsError(this.name, `reach ${this.where}`, err);
    }
  }

  /** Idempotent. QUIT lets the replies to a page already sent arrive first. */
  close(): Promise<void> {
    this.closing ??= this.closeClient();
    return this.closing;
  }

  private async closeClient(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    this.opening = undefined;
    if (!redis) return;
    if (redis.status === 'ready' && (await redis.quit().then(() => true, () => false))) return;
    // Also stops the reconnect loop. Commands still waiting for a reply are settled by ioredis
    // (connection closed) or, at the latest, by the command timeout.
    redis.disconnect();
  }
}

/** The `redis_streams` sink: XADD each event to a templated stream, once per event id. */
export const redisStreamsSink: SinkDefinition<typeof redisStreamsSinkConfigSchema> = {
  type: 'redis_streams',
  configSchema: redisStreamsSinkConfigSchema,
  create: (config, name, context) => new RedisStreamsSink(name, config, context.logger),
};
