import type { Redis } from 'ioredis';
import { ioredis } from '../redis/load-ioredis.js';
import { WesError } from '../errors.js';
import type { WorkOSEvent } from '../workos/event.js';
import type { DeadLetter, DeadLetterStore } from './dead-letter-store.js';

/** Options of {@link RedisDeadLetterStore}. */
export interface RedisDeadLetterStoreOptions {
  /** Prefix of every key the store writes. Default `'workos-events-sync:dlq'`. */
  readonly keyPrefix?: string;
  /**
   * Approximate cap on entries per sink (`XADD MAXLEN ~`). Default: none, because trimming would
   * silently lose events the cursor has already moved past; set it only to bound memory knowingly.
   */
  readonly maxLen?: number;
  /** The clock that stamps `failed_at`; tests inject one. */
  readonly now?: () => Date;
}

const DEFAULT_KEY_PREFIX = 'workos-events-sync:dlq';
const SINKS_INDEX = 'sinks';

/**
 * Redis error prefixes that describe a server state which passes (loading, failover, memory
 * pressure, a busy script). Anything else, such as `WRONGTYPE`, needs a person.
 */
const TRANSIENT_REPLY_CODES: ReadonlySet<string> = new Set(['LOADING', 'BUSY', 'TRYAGAIN', 'MASTERDOWN', 'READONLY', 'OOM', 'NOREPLICAS', 'CLUSTERDOWN']);

function unavailable(action: string, description: string, err: unknown): WesError {
  // A reply error's first word is Redis's own error code; everything else is the connection.
  const replyCode = err instanceof ioredis().ReplyError ? String((err as Error).message).split(' ', 1)[0]! : undefined;
  const retryable = replyCode === undefined || TRANSIENT_REPLY_CODES.has(replyCode);
  return new WesError('WES_ERR_DEAD_LETTER_UNAVAILABLE', `could not ${action} dead letters in ${description}: ${(err as Error).message}`, { retryable, cause: err });
}

/** Stream ids are `<ms>-<seq>`: compared as numbers, since `'9-0' > '10-0'` as text. */
function compareEntryIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

function serialize(event: WorkOSEvent, error: { code: string; message: string }, failedAt: string): string[] {
  const org = event.data?.['organization_id'];
  return [
    'event_id', event.id,
    'event_type', event.event,
    'organization_id', typeof org === 'string' ? org : '',
    'event', JSON.stringify(event),
    'error_code', error.code,
    'error_message', error.message,
    'failed_at', failedAt,
  ];
}

/** The stored event, or a stand-in: a person is inspecting the store, so one bad entry must not hide the rest. */
function parseEvent(text: string, id: string, type: string): WorkOSEvent {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const e = parsed as Partial<WorkOSEvent>;
      if (typeof e.id === 'string' && typeof e.event === 'string') return e as WorkOSEvent;
    }
  } catch {
    // Falls through to the stand-in below.
  }
  return { id, event: type, data: {}, created_at: '', raw: text };
}

function parseEntry(sink: string, entryId: string, flat: readonly string[]): DeadLetter {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  const field = (name: string) => fields.get(name) ?? '';
  return {
    entryId,
    sink,
    event: parseEvent(field('event'), field('event_id'), field('event_type')),
    errorCode: field('error_code'),
    errorMessage: field('error_message'),
    failedAt: field('failed_at'),
  };
}

/**
 * Dead letters in Redis: one stream per sink (`<prefix>:<sink>`), whose ids give the age order,
 * and a set `<prefix>:sinks` naming the sinks. The caller owns the connection (open and close);
 * create it with `enableOfflineQueue: false` so that a Redis outage fails `add` at once instead of
 * queueing it, and the pipeline keeps its cursor where it is.
 */
export class RedisDeadLetterStore implements DeadLetterStore {
  readonly description: string;
  private readonly prefix: string;
  private readonly maxLen: number | undefined;
  private readonly now: () => Date;

  constructor(private readonly redis: Redis, options: RedisDeadLetterStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (options.maxLen !== undefined && !(Number.isInteger(options.maxLen) && options.maxLen > 0)) {
      throw new WesError('WES_ERR_CONFIG', `dead-letter maxLen must be a positive integer, got ${options.maxLen}`);
    }
    this.maxLen = options.maxLen;
    this.now = options.now ?? (() => new Date());
    // Built from the parsed options, never from a URL, so no password can end up in a log line.
    const { host, port, path, db } = redis.options;
    this.description = `redis ${path ?? `${host ?? 'localhost'}:${port ?? 6379}`}/${db ?? 0} keys ${this.prefix}:*`;
  }

  async add(sink: string, events: readonly WorkOSEvent[], error: { code: string; message: string }): Promise<void> {
    if (events.length === 0) return;
    const failedAt = this.now().toISOString();
    const trim = this.maxLen === undefined ? [] : ['MAXLEN', '~', String(this.maxLen)];
    // MULTI/EXEC: Redis applies the whole batch or none of it, so a retry after a failure cannot
    // leave half a page behind (and duplicate it on the next attempt).
    const tx = this.redis.multi();
    for (const event of events) tx.xadd(this.streamKey(sink), ...trim, '*', ...serialize(event, error, failedAt));
    tx.sadd(this.sinksKey(), sink);
    let results: [Error | null, unknown][] | null;
    try {
      results = await tx.exec();
    } catch (err) {
      throw unavailable('record', this.description, err);
    }
    // A runtime error inside EXEC (e.g. WRONGTYPE on a key collision) does not roll back the rest.
    const failed = results === null ? new Error('transaction aborted') : results.find(([err]) => err !== null)?.[0];
    if (failed) throw unavailable('record', this.description, failed);
  }

  async list(options: { sink?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    const { sink, limit } = options;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new WesError('WES_ERR_CONFIG', `dead-letter list limit must be a non-negative integer, got ${limit}`);
    }
    if (limit === 0) return [];
    const sinks = sink === undefined ? await this.sinks() : [sink];
    // Each stream is already oldest first; reading `limit` from each is enough for the merge.
    // Across streams, ids only order by Redis's clock in ms: entries of different sinks recorded
    // in the same ms (one page failing on two sinks) come grouped by sink name.
    const perSink = await Promise.all(sinks.map((s) => this.readSink(s, limit)));
    const merged = perSink.flat().sort((a, b) => compareEntryIds(a.entryId, b.entryId) || a.sink.localeCompare(b.sink));
    return limit === undefined ? merged : merged.slice(0, limit);
  }

  async remove(sink: string, entryIds: readonly string[]): Promise<number> {
    if (entryIds.length === 0) return 0;
    try {
      return await this.redis.xdel(this.streamKey(sink), ...entryIds);
    } catch (err) {
      throw unavailable('remove', this.description, err);
    }
  }

  async count(sink?: string): Promise<number> {
    const sinks = sink === undefined ? await this.sinks() : [sink];
    try {
      const lengths = await Promise.all(sinks.map((s) => this.redis.xlen(this.streamKey(s))));
      return lengths.reduce((sum, n) => sum + n, 0);
    } catch (err) {
      throw unavailable('count', this.description, err);
    }
  }

  async sinks(): Promise<string[]> {
    try {
      return (await this.redis.smembers(this.sinksKey())).sort();
    } catch (err) {
      throw unavailable('list the sinks with', this.description, err);
    }
  }

  private async readSink(sink: string, limit: number | undefined): Promise<DeadLetter[]> {
    const key = this.streamKey(sink);
    let entries: [id: string, fields: string[]][];
    try {
      entries = limit === undefined ? await this.redis.xrange(key, '-', '+') : await this.redis.xrange(key, '-', '+', 'COUNT', limit);
    } catch (err) {
      throw unavailable('read', this.description, err);
    }
    return entries.map(([id, fields]) => parseEntry(sink, id, fields));
  }

  private streamKey(sink: string): string {
    // `<prefix>:sinks` is the index set: a sink of that name would collide with it (WRONGTYPE).
    if (sink === SINKS_INDEX) throw new WesError('WES_ERR_CONFIG', `the sink name "${SINKS_INDEX}" is reserved by the dead-letter store; rename the sink`);
    return `${this.prefix}:${sink}`;
  }

  private sinksKey(): string {
    return `${this.prefix}:${SINKS_INDEX}`;
  }
}
