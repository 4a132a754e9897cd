import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { WesError } from '../../errors.js';
import { redactUrl } from '../../observability/redact-url.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import { defineAppendOnce, queueAppendOnce } from './append-once-script.js';
import { isRetryableRedisError, redisStreamsError } from './classify-redis-streams-error.js';
import { createRedisStreamsClient } from './redis-streams-client.js';
import { compileStreamName } from './stream-name-template.js';
import { redisStreamsSinkConfigSchema, type RedisStreamsSinkConfig } from './redis-streams-sink-config.js';
export { redisStreamsSinkConfigSchema, type RedisStreamsSinkConfig } from './redis-streams-sink-config.js';


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
