import { z } from 'zod';
import type { SinkDefinition } from './sink.js';
import { httpSink } from './http/http-sink.js';
import { jsonlSink } from './jsonl/jsonl-sink.js';
import { moduleSink } from './module/module-sink.js';
import { natsSink } from './nats/nats-sink.js';
import { postgresSink } from './postgres/postgres-sink.js';
import { postgresMirrorSink } from './postgres-mirror/postgres-mirror-sink.js';
import { rabbitmqSink } from './rabbitmq/rabbitmq-sink.js';
import { redisStreamsSink } from './redis-streams/redis-streams-sink.js';
import { stdoutSink } from './stdout/stdout-sink.js';

/**
 * Every sink the daemon knows, listed explicitly (no registration by import side effect).
 * Adding a sink means adding it here and to `sinkConfigSchema` below.
 */
export const sinkDefinitions: readonly SinkDefinition<any>[] = [
  stdoutSink,
  jsonlSink,
  httpSink,
  postgresSink,
  postgresMirrorSink,
  redisStreamsSink,
  natsSink,
  rabbitmqSink,
  moduleSink,
];

/**
 * One entry of `sinks`: the union of every registered sink's config, told apart by `type`.
 * Keep it in step with `sinkDefinitions` (a unit test checks that they list the same types).
 */
export const sinkConfigSchema = z.discriminatedUnion('type', [
  stdoutSink.configSchema,
  jsonlSink.configSchema,
  httpSink.configSchema,
  postgresSink.configSchema,
  postgresMirrorSink.configSchema,
  redisStreamsSink.configSchema,
  natsSink.configSchema,
  rabbitmqSink.configSchema,
  moduleSink.configSchema,
]);

export type SinkConfig = z.infer<typeof sinkConfigSchema>;

export const sinkTypes: readonly string[] = sinkDefinitions.map((d) => d.type);

export function findSinkDefinition(type: string): SinkDefinition | undefined {
  return sinkDefinitions.find((d) => d.type === type);
}
