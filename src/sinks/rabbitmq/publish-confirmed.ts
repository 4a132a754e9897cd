import type { Message, Options } from 'amqplib';
import type { WesError } from '../../errors.js';
import type { AmqpSession } from './amqp-session.js';
import { rabbitmqRejected, rabbitmqSinkError, rabbitmqUnavailable } from './classify-rabbitmq-error.js';
import { AmqpTimeoutError, within } from './within.js';

/** One event, ready to publish. */
export interface OutgoingMessage {
  readonly id: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
}

export interface PublishOptions {
  readonly sinkName: string;
  readonly exchange: string;
  /** How long to wait for the broker's confirms, in ms. */
  readonly timeoutMs: number;
  /** Told each id the broker took (acked and not returned), as soon as it is confirmed. */
  readonly onConfirmed: (id: string) => void;
}

/**
 * Publishes the messages on the session's confirm channel and resolves only once the broker has
 * confirmed every one of them (for a persistent message routed to a durable queue, RabbitMQ
 * confirms once it is written to disk). Ids are reported one by one, so that a retry after a
 * partial failure sends only what the broker did not take. Throws a classified WesError.
 */
export async function publishConfirmed(session: AmqpSession, messages: readonly OutgoingMessage[], options: PublishOptions): Promise<void> {
  const { sinkName, exchange, timeoutMs } = options;
  const blocked = session.blockedReason;
  if (blocked !== undefined) {
    throw rabbitmqUnavailable(sinkName, `the broker is blocking publishers (${blocked}): it is short of memory or disk`);
  }
  let failed = false;
  let failure: unknown;
  try {
    const channel = session.channel;
    for (const message of messages) {
      // A return left over from an earlier, failed attempt must not be taken for this one's.
      session.takeReturned(message.id);
      // `false` only means amqplib's buffer is above its high-water mark: the message is still
      // queued, and waiting for the confirms below is the back-pressure that matters.
      channel.publish(exchange, message.routingKey, message.content, message.options, (err: unknown) => {
        if (err === null && !session.wasReturned(message.id)) options.onConfirmed(message.id);
      });
    }
    await within(channel.waitForConfirms(), timeoutMs, () => new AmqpTimeoutError(`no confirm within ${timeoutMs} ms`));
  } catch (err) {
    failed = true;
    failure = err;
  }
  const returned = messages.flatMap((m) => {
    const back = session.takeReturned(m.id);
    return back ? [{ id: m.id, message: back }] : [];
  });
  if (failed) throw publishFailure(session, failure, options);
  if (returned.length > 0) throw unroutable(sinkName, exchange, returned);
}

function publishFailure(session: AmqpSession, err: unknown, { sinkName, exchange, timeoutMs }: PublishOptions): WesError {
  if (err instanceof AmqpTimeoutError) {
    // Confirms that arrive later must not be taken for the next page's: start afresh.
    session.destroy();
    return rabbitmqUnavailable(sinkName, `the broker did not confirm the messages within ${timeoutMs} ms`, err);
  }
  // A channel or connection failure explains the plain "channel closed" the confirms get; with
  // the session intact, the failure was a nack (the broker could not take the message now).
  return rabbitmqSinkError(sinkName, `publish to exchange "${exchange}"`, session.failure ?? err);
}

/** The fields of a basic.return (amqplib's Message type names only the delivery ones). */
interface ReturnFields {
  readonly replyCode?: number;
  readonly replyText?: string;
  readonly routingKey?: string;
}

function unroutable(sinkName: string, exchange: string, returned: ReadonlyArray<{ id: string; message: Message }>): WesError {
  const first = returned[0]!.message.fields as ReturnFields;
  const keys = [...new Set(returned.map((r) => String((r.message.fields as ReturnFields).routingKey)))];
  return rabbitmqRejected(
    sinkName,
    `exchange "${exchange}" routed ${returned.length} message(s) to no queue (${first.replyCode ?? 312} ${first.replyText ?? 'NO_ROUTE'}; routing key ${keys.map((k) => `"${k}"`).join(', ')}): bind a queue for them, or set "mandatory": false to let RabbitMQ drop them`,
    { code: first.replyCode ?? 312, replyText: first.replyText, exchange, routingKeys: keys, eventIds: returned.map((r) => r.id) },
  );
}
