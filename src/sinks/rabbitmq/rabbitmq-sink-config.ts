import { z } from 'zod';
import { urlField } from '../../validation/url-field.js';
import { sinkCommonFields } from '../sink-common-config.js';
import { routingKeyTemplateProblem } from './routing-key.js';

const amqpUrl = urlField({ schemes: ['amqp', 'amqps'], example: 'amqp://user:${RABBITMQ_PASSWORD}@rabbitmq:5672' });

const routingKeyTemplate = z.string().max(255).check((ctx) => {
  const problem = routingKeyTemplateProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

export const rabbitmqSinkConfigSchema = z
  .strictObject({
    type: z.literal('rabbitmq').describe('"rabbitmq": each event as a message to a RabbitMQ exchange.'),
    ...sinkCommonFields,
    url: amqpUrl.describe('Broker URL, amqp:// or amqps://, with the vhost as its path ("/%2F" or none for "/"). Put the password in through ${VAR} (percent-encode "@", ":" and "/" in it). A "heartbeat" query parameter overrides heartbeatSeconds. Required.'),
    exchange: z.string().max(255).regex(/^[A-Za-z0-9_.:-]*$/, 'expected letters, digits, "-", "_", "." or ":"').default('workos.events')
      .describe('Exchange to publish to. Default "workos.events". "" is the default exchange (the routing key is then a queue name).'),
    exchangeType: z.enum(['topic', 'direct', 'fanout', 'headers']).default('topic')
      .describe('Type of the exchange when declare is true. Default "topic".'),
    declare: z.boolean().default(false)
      .describe('Declare the exchange (durable) each time the sink connects; an existing one must have the same type and durability. The broker\'s own exchanges ("", amq.*) cannot be declared. Default false: the exchange must exist.'),
    routingKey: routingKeyTemplate.default('{event}')
      .describe('Routing key template, e.g. "{organization_id}.{event}": {event} is the event type (e.g. dsync.user.created), {organization_id} the event\'s organization (data.organization_id, or data.id for organization events; "none" when there is none, as for user.created). Default "{event}".'),
    mandatory: z.boolean().default(true)
      .describe('Publish as mandatory: a message no queue is bound for is returned by the broker and the write fails as rejected. false lets RabbitMQ drop it silently. Default true.'),
    timeoutMs: z.int().min(100).max(300_000).default(10_000)
      .describe('How long a write waits for the broker to confirm its messages, in ms. Default 10000.'),
    heartbeatSeconds: z.int().min(0).max(3600).default(10)
      .describe('AMQP heartbeat in seconds: a silent broker is given up on after about twice this. 0 turns heartbeats off. Default 10.'),
    connectTimeoutMs: z.int().min(100).max(120_000).default(5_000)
      .describe('Bound on connecting (TCP, TLS and the AMQP handshake), in ms. Default 5000.'),
  })
  .check((ctx) => {
    const { declare, exchange } = ctx.value;
    if (declare && (exchange === '' || exchange.startsWith('amq.'))) {
      ctx.issues.push({ code: 'custom', path: ['declare'], message: `the exchange "${exchange}" is the broker's own and cannot be declared: set declare to false`, input: undefined });
    }
  })
  .describe('Publishes each event to a RabbitMQ exchange with publisher confirms, persistent, messageId = event id, routing key from the event type.');

export type RabbitmqSinkConfig = z.infer<typeof rabbitmqSinkConfigSchema>;
