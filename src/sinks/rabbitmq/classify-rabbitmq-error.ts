import { WesError } from '../../errors.js';

/**
 * AMQP reply codes that mean "the broker refuses this" rather than "not now": retrying the same
 * publish would fail the same way until a person changes the config or the broker's topology.
 * Every other failure (socket errors, timeouts, 320 CONNECTION_FORCED, 541 INTERNAL_ERROR, 506
 * RESOURCE_ERROR, a nack, a channel lost with its connection) is worth retrying.
 */
const REJECTED_REPLY_CODES: ReadonlyMap<number, string> = new Map([
  [311, 'CONTENT_TOO_LARGE'],
  [312, 'NO_ROUTE'],
  [313, 'NO_CONSUMERS'],
  [403, 'ACCESS_REFUSED'],
  [404, 'NOT_FOUND'],
  [406, 'PRECONDITION_FAILED'],
  [530, 'NOT_ALLOWED'],
]);

/** The AMQP reply code amqplib puts on channel and connection errors (`err.code`, a number). */
export function replyCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Classifies a RabbitMQ failure by the broker's reply code (or, for socket failures, the errno
 * code, all retryable), never by message text. Keeps the original error as `cause`.
 */
export function rabbitmqSinkError(sinkName: string, action: string, err: unknown): WesError {
  const replyCode = replyCodeOf(err);
  const rejected = replyCode !== undefined && REJECTED_REPLY_CODES.has(replyCode);
  const reason = err instanceof Error ? err.message : String(err);
  return new WesError(
    rejected ? 'WES_ERR_SINK_REJECTED' : 'WES_ERR_SINK_UNAVAILABLE',
    `sink "${sinkName}" could not ${action}: ${reason}`,
    { retryable: !rejected, cause: err },
  );
}

/** A failure the sink detects itself (no confirm in time, connection lost, blocked): retryable. */
export function rabbitmqUnavailable(sinkName: string, reason: string, cause?: unknown): WesError {
  return new WesError('WES_ERR_SINK_UNAVAILABLE', `sink "${sinkName}": ${reason}`, { retryable: true, ...(cause === undefined ? {} : { cause }) });
}

/** A refusal the sink detects itself (a returned message, an impossible routing key): not retryable. */
export function rabbitmqRejected(sinkName: string, reason: string, cause?: unknown): WesError {
  return new WesError('WES_ERR_SINK_REJECTED', `sink "${sinkName}": ${reason}`, { retryable: false, ...(cause === undefined ? {} : { cause }) });
}
