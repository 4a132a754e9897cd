import { JetStreamApiError } from '@nats-io/jetstream';
import {
  AuthorizationError,
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  InvalidArgumentError,
  InvalidSubjectError,
  PermissionViolationError,
  RequestError,
  TimeoutError,
  UserAuthenticationExpiredError,
} from '@nats-io/transport-node';
import { WesError } from '../../errors.js';

/**
 * JetStream API error codes (`api_error.err_code`) that no retry can fix: the message or the
 * setup is wrong, so the page is rejected. Other codes follow their status: 5xx is retryable.
 */
const REJECTED_API_CODES: ReadonlyMap<number, string> = new Map([
  [10054, 'the event is larger than the stream\'s maximum message size'],
  [10060, 'the subject is stored by a different stream than the configured one'],
  [10059, 'the stream does not exist'],
  [10039, 'JetStream is not enabled for this account'],
  [10076, 'JetStream is not enabled on the server'],
  [10003, 'the server called the request malformed'],
]);

/** Errors in the cause chain, outermost first (the JetStream client wraps the core client's). */
function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && chain.length < 8; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/** True when a request found nobody listening on the subject: no stream captures it. */
export function isNoResponders(err: unknown): boolean {
  return causes(err).some((e) => e instanceof RequestError && e.isNoResponders());
}

function verdict(err: unknown): { retryable: boolean; reason: string } {
  for (const e of causes(err)) {
    if (e instanceof JetStreamApiError) {
      const rejected = REJECTED_API_CODES.get(e.code);
      if (rejected) return { retryable: false, reason: `${rejected} (JetStream error ${e.code})` };
      // 503 "insufficient resources", 500 "storage resources exceeded", 10077 "store failed" (a full
      // stream with discard new): the server may recover; a 4xx is about the request itself.
      return { retryable: e.status >= 500 || e.status === 408, reason: `JetStream error ${e.code} (${e.status}): ${e.message}` };
    }
    if (e instanceof RequestError && e.isNoResponders()) {
      // Nothing listens on the subject: no stream captures it. Waiting will not make one appear.
      return { retryable: false, reason: 'no JetStream stream captures the subject (no responders)' };
    }
    if (e instanceof TimeoutError) return { retryable: true, reason: 'no acknowledgement in time' };
    if (e instanceof ClosedConnectionError || e instanceof DrainingConnectionError) return { retryable: true, reason: 'the connection is closed' };
    if (e instanceof AuthorizationError || e instanceof UserAuthenticationExpiredError) return { retryable: false, reason: 'the server refused the credentials' };
    if (e instanceof PermissionViolationError) return { retryable: false, reason: `no permission to ${e.operation} on ${e.subject}` };
    // Client-side refusals: a subject the template rendered badly, a message above max_payload.
    if (e instanceof InvalidSubjectError || e instanceof InvalidArgumentError) return { retryable: false, reason: 'the client refused the message' };
    if (e instanceof ConnectionError) return { retryable: true, reason: 'cannot connect' };
  }
  // Socket errors (ECONNREFUSED, ECONNRESET...) and anything unknown: the service may come back.
  return { retryable: true, reason: 'unexpected failure' };
}

/** Classifies a NATS or JetStream failure by the client's error classes and JetStream codes, never by message text. */
export function natsSinkError(sinkName: string, action: string, err: unknown): WesError {
  if (err instanceof WesError) return err;
  const { retryable, reason } = verdict(err);
  const detail = err instanceof Error ? err.message : String(err);
  return new WesError(
    retryable ? 'WES_ERR_SINK_UNAVAILABLE' : 'WES_ERR_SINK_REJECTED',
    `sink "${sinkName}" could not ${action}: ${reason}${detail && !reason.includes(detail) ? ` (${detail})` : ''}`,
    { retryable, cause: err },
  );
}

/** A retryable failure the sink detects itself (disconnected, closing). */
export function natsUnavailable(sinkName: string, message: string, cause?: unknown): WesError {
  return new WesError('WES_ERR_SINK_UNAVAILABLE', `sink "${sinkName}" ${message}`, { retryable: true, ...(cause === undefined ? {} : { cause }) });
}
