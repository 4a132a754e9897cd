import type { ChainableCommander, Redis } from 'ioredis';
import type { WorkOSEvent } from '../../workos/event.js';

/**
 * Appends one event to its stream unless its id was already written there, in one atomic step.
 *
 * KEYS[1] is the id's dedupe key, KEYS[2] the stream. ARGV: the dedupe TTL in seconds, MAXLEN
 * (`0` = no trimming), then the entry's fields: id, event, created_at, payload.
 *
 * The order matters because Redis does not roll back a script: XADD is the first write, so when
 * it fails (WRONGTYPE, or OOM, which Redis checks only on a script's first write) nothing at all
 * was written and a retry starts clean. The id is recorded only after its entry exists, and both
 * happen in the same script, so a crash can never leave one without the other. The dedupe key
 * holds the entry id, which tells an operator where the event went. Returns the new entry id, or
 * 0 when the event was already there.
 */
export const APPEND_ONCE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local entry
if ARGV[2] == '0' then
  entry = redis.call('XADD', KEYS[2], '*', 'id', ARGV[3], 'event', ARGV[4], 'created_at', ARGV[5], 'payload', ARGV[6])
else
  entry = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[3], 'event', ARGV[4], 'created_at', ARGV[5], 'payload', ARGV[6])
end
redis.call('SET', KEYS[1], entry, 'EX', ARGV[1])
return entry`;

const COMMAND = 'wesRedisStreamsAppendOnce';

/** What `defineCommand` adds to a client and its pipelines (ioredis types only its own commands). */
type WithAppendOnce = { [COMMAND](...args: Array<string | number>): unknown };

/**
 * Registers the script on the sink's own client. ioredis then sends EVAL the first time on each
 * connection and EVALSHA after, and re-sends the text itself when Redis answers NOSCRIPT (after a
 * restart or SCRIPT FLUSH). Must run before any pipeline is created: a pipeline copies the
 * client's scripts when it is made. No I/O.
 */
export function defineAppendOnce(redis: Redis): void {
  redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: APPEND_ONCE_LUA });
}

/** What one call appends: the keys and the settings of the sink. */
export interface AppendOnceCall {
  readonly dedupeKey: string;
  readonly stream: string;
  readonly dedupeTtlSeconds: number;
  readonly maxLen: number | undefined;
  readonly event: WorkOSEvent;
}

/** Queues one append on a pipeline. The payload is the event exactly as WorkOS sent it. */
export function queueAppendOnce(pipeline: ChainableCommander, call: AppendOnceCall): void {
  const { event } = call;
  (pipeline as unknown as WithAppendOnce)[COMMAND](
    call.dedupeKey,
    call.stream,
    call.dedupeTtlSeconds,
    call.maxLen ?? 0,
    String(event.id),
    String(event.event),
    String(event.created_at ?? ''),
    JSON.stringify(event),
  );
}
