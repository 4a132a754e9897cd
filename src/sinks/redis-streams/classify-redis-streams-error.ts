import { ReplyError } from 'ioredis';
import { WesError } from '../../errors.js';

/**
 * Redis error codes for a server state that passes: loading a dataset, a busy script, a failover
 * or resharding in progress, a replica that cannot take writes yet, memory pressure, a failing
 * snapshot (MISCONF). Every other reply code (WRONGTYPE, ERR, NOSCRIPT, NOAUTH, WRONGPASS,
 * NOPERM, ...) needs a person, so retrying would not help.
 */
const TRANSIENT_REPLY_CODES: ReadonlySet<string> = new Set([
  'LOADING', 'BUSY', 'TRYAGAIN', 'MASTERDOWN', 'READONLY', 'OOM', 'CLUSTERDOWN', 'NOREPLICAS', 'MISCONF',
]);

/**
 * The Redis error code of a reply error: the first word of an error reply is the protocol's code
 * ("WRONGTYPE Operation against a key..."), not prose. Undefined for anything that is not a reply
 * from the server (the connection failed, timed out or was closed: no answer came).
 */
export function redisReplyCode(err: unknown): string | undefined {
  if (!(err instanceof ReplyError)) return undefined;
  return String((err as Error).message).split(' ', 1)[0];
}

/** Whether a failure may pass by itself: every connection failure, and the transient reply codes. */
export function isRetryableRedisError(err: unknown): boolean {
  const code = redisReplyCode(err);
  return code === undefined || TRANSIENT_REPLY_CODES.has(code);
}

/**
 * Classifies a failure of the redis_streams sink. No reply at all (ECONNREFUSED, ECONNRESET,
 * ETIMEDOUT, "Stream isn't writeable" while offline, ioredis's MaxRetriesPerRequestError, a
 * command timeout, a closed connection) is `WES_ERR_SINK_UNAVAILABLE`; a reply error is
 * classified by its Redis error code. `cause` keeps the driver's error.
 */
export function redisStreamsError(sinkName: string, action: string, err: unknown): WesError {
  const retryable = isRetryableRedisError(err);
  const reason = err instanceof Error ? err.message : String(err);
  return new WesError(
    retryable ? 'WES_ERR_SINK_UNAVAILABLE' : 'WES_ERR_SINK_REJECTED',
    `sink "${sinkName}" could not ${action}: ${reason}`,
    { retryable, cause: err },
  );
}
