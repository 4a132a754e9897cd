import { z } from 'zod';
import { httpSinkConfigSchema } from './http/http-sink-config.js';
import { jsonlSinkConfigSchema } from './jsonl/jsonl-sink-config.js';
import { moduleSinkConfigSchema } from './module/module-sink-config.js';
import { natsSinkConfigSchema } from './nats/nats-sink-config.js';
import { postgresSinkConfigSchema } from './postgres/postgres-sink-config.js';
import { postgresMirrorSinkConfigSchema } from './postgres-mirror/postgres-mirror-sink-config.js';
import { rabbitmqSinkConfigSchema } from './rabbitmq/rabbitmq-sink-config.js';
import { redisStreamsSinkConfigSchema } from './redis-streams/redis-streams-sink-config.js';
import type { SinkConfigSchema, SinkDefinition } from './sink.js';
import { stdoutSinkConfigSchema } from './stdout/stdout-sink-config.js';

/**
 * One kind of sink, as the registry knows it before anything of it is loaded: its config schema
 * (light: zod and its own rules) and an `import()` of its implementation, which brings in its
 * driver (pg, amqplib, NATS, ioredis, the SDK) only when a config names that type.
 */
export interface SinkEntry {
  readonly type: string;
  readonly configSchema: SinkConfigSchema;
  /** The sink keeps its position in its own store (`Sink.positions`): known before it is loaded. */
  readonly keepsPosition?: boolean;
  load(): Promise<SinkDefinition<any>>;
}

/**
 * Every sink the daemon knows, listed explicitly (no registration by import side effect).
 * Adding a sink means adding it here and to `sinkConfigSchema` below.
 */
export const sinkEntries: readonly SinkEntry[] = [
  { type: 'stdout', configSchema: stdoutSinkConfigSchema, load: async () => (await import('./stdout/stdout-sink.js')).stdoutSink },
  { type: 'jsonl', configSchema: jsonlSinkConfigSchema, load: async () => (await import('./jsonl/jsonl-sink.js')).jsonlSink },
  { type: 'http', configSchema: httpSinkConfigSchema, load: async () => (await import('./http/http-sink.js')).httpSink },
  { type: 'postgres', configSchema: postgresSinkConfigSchema, keepsPosition: true, load: async () => (await import('./postgres/postgres-sink.js')).postgresSink },
  { type: 'postgres_mirror', configSchema: postgresMirrorSinkConfigSchema, keepsPosition: true, load: async () => (await import('./postgres-mirror/postgres-mirror-sink.js')).postgresMirrorSink },
  { type: 'redis_streams', configSchema: redisStreamsSinkConfigSchema, load: async () => (await import('./redis-streams/redis-streams-sink.js')).redisStreamsSink },
  { type: 'nats', configSchema: natsSinkConfigSchema, load: async () => (await import('./nats/nats-sink.js')).natsSink },
  { type: 'rabbitmq', configSchema: rabbitmqSinkConfigSchema, load: async () => (await import('./rabbitmq/rabbitmq-sink.js')).rabbitmqSink },
  { type: 'module', configSchema: moduleSinkConfigSchema, load: async () => (await import('./module/module-sink.js')).moduleSink },
];

/**
 * One entry of `sinks`: the union of every registered sink's config, told apart by `type`.
 * Keep it in step with `sinkEntries` (a unit test checks that they list the same types).
 */
export const sinkConfigSchema = z.discriminatedUnion('type', [
  stdoutSinkConfigSchema,
  jsonlSinkConfigSchema,
  httpSinkConfigSchema,
  postgresSinkConfigSchema,
  postgresMirrorSinkConfigSchema,
  redisStreamsSinkConfigSchema,
  natsSinkConfigSchema,
  rabbitmqSinkConfigSchema,
  moduleSinkConfigSchema,
]);

export type SinkConfig = z.infer<typeof sinkConfigSchema>;

export const sinkTypes: readonly string[] = sinkEntries.map((d) => d.type);

export function findSinkEntry(type: string): SinkEntry | undefined {
  return sinkEntries.find((d) => d.type === type);
}
