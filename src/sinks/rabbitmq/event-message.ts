import { parseEventTime, type WorkOSEvent } from '../../workos/event.js';
import { rabbitmqRejected } from './classify-rabbitmq-error.js';
import type { OutgoingMessage } from './publish-confirmed.js';
import { MAX_ROUTING_KEY_BYTES, renderRoutingKey } from './routing-key.js';

/** The `appId` property of every message, so consumers can tell where it came from. */
export const APP_ID = 'workos-events-sync';

/**
 * One event as an AMQP message: the body is the event exactly as WorkOS sent it, `messageId` is
 * the event id (what consumers de-duplicate on), `type` the event type, `timestamp` its
 * `created_at` in seconds (AMQP's unit), and `persistent` so that a durable queue keeps it
 * across a broker restart.
 */
export function eventMessage(event: WorkOSEvent, routingKeyTemplate: string, mandatory: boolean, sinkName: string): OutgoingMessage {
  const routingKey = renderRoutingKey(routingKeyTemplate, event);
  if (Buffer.byteLength(routingKey) > MAX_ROUTING_KEY_BYTES) {
    throw rabbitmqRejected(sinkName, `routing key for event ${event.id} is longer than ${MAX_ROUTING_KEY_BYTES} bytes, the AMQP limit`);
  }
  const createdMs = parseEventTime(event.created_at);
  return {
    id: event.id,
    routingKey,
    content: Buffer.from(JSON.stringify(event)),
    options: {
      persistent: true,
      mandatory,
      messageId: event.id,
      contentType: 'application/json',
      type: event.event,
      appId: APP_ID,
      ...(Number.isFinite(createdMs) ? { timestamp: Math.floor(createdMs / 1000) } : {}),
      headers: { 'x-workos-event-id': event.id },
    },
  };
}
