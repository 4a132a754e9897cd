import { z } from 'zod';
import { urlField } from '../../validation/url-field.js';
import { sinkCommonFields } from '../sink-common-config.js';
import { unknownPlaceholders } from './stream-name-template.js';

/** The default stream: every event in one stream. */
export const DEFAULT_STREAM = 'workos:events';
/** The default prefix of the keys that remember which event ids were written. */
export const DEFAULT_DEDUPE_KEY_PREFIX = 'workos-events-sync:redis-streams:seen';
/** How long an event id is remembered by default: 7 days, in seconds. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 604_800;

/** The config of a `redis_streams` sink entry (strict: unknown keys are errors). */
export const redisStreamsSinkConfigSchema = z
  .strictObject({
    type: z.literal('redis_streams').describe('"redis_streams": each event as an entry of a Redis Stream.'),
    ...sinkCommonFields,
    url: urlField({ schemes: ['redis', 'rediss'], example: 'redis://:${REDIS_PASSWORD}@redis:6379' })
      .describe('Redis URL, redis:// or rediss:// (TLS). Put a password in as ${VAR}, e.g. "redis://:${REDIS_PASSWORD}@redis:6379"; it never appears in logs. The sink has a connection of its own, separate from the cursor\'s, so the streams can live on another Redis. Required.'),
    stream: z.string().min(1)
      .refine((t) => unknownPlaceholders(t).length === 0, { error: 'expected only the placeholders {event} and {organization_id}' })
      .default(DEFAULT_STREAM)
      .describe(`Stream name template, e.g. "workos:events:{event}": {event} is the event type; {organization_id} is the event's organization (the organization itself for organization.* events, else data.organization_id or that of a nested sso, user, group or organization_domain object), or "none" for user-level events. Any other {...} is a config error. Default "${DEFAULT_STREAM}".`),
    maxLen: z.int().min(1).optional()
      .describe('Approximate cap on entries per stream (XADD MAXLEN ~ n): older entries are trimmed, and are gone for consumers that had not read them yet. Redis trims whole blocks only, so a stream can hold somewhat more. Default: no trimming.'),
    dedupeTtlSeconds: z.int().min(1).default(DEFAULT_DEDUPE_TTL_SECONDS)
      .describe(`How long, in seconds, a written event id is remembered so that a replay does not add it again. Default ${DEFAULT_DEDUPE_TTL_SECONDS} (7 days).`),
    dedupeKeyPrefix: z.string().min(1).default(DEFAULT_DEDUPE_KEY_PREFIX)
      .describe(`Prefix of the keys remembering written ids: <prefix>:<stream>:<event id>, each holding its entry id. The stream is part of the key, so two sinks writing to different streams of one Redis never hide events from each other. Default "${DEFAULT_DEDUPE_KEY_PREFIX}".`),
    connectTimeoutMs: z.int().min(100).max(300_000).default(5_000)
      .describe('How long connecting to Redis may take, in ms. Default 5000.'),
    commandTimeoutMs: z.int().min(100).max(300_000).default(5_000)
      .describe('How long a page may wait for Redis\'s replies, in ms; then the write fails as retryable (it may have been applied: the retry adds nothing twice). Default 5000.'),
  })
  .describe('Appends each event (fields id, event, created_at, payload) to a Redis Stream named by a template; a replay adds nothing for ids already written.');

export type RedisStreamsSinkConfig = z.infer<typeof redisStreamsSinkConfigSchema>;
