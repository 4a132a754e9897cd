import { JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { millis, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { WesError } from '../../errors.js';
import type { NatsStreamConfig } from './nats-sink-config.js';

/** "stream name already in use with a different configuration": another instance created it first. */
const STREAM_NAME_IN_USE = 10058;

function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

/** The stream configuration the sink creates. */
export function desiredStreamConfig(stream: NatsStreamConfig, subjects: readonly string[]): Partial<StreamConfig> & { name: string } {
  return {
    name: stream.name,
    subjects: [...subjects],
    duplicate_window: nanos(stream.duplicateWindowMs),
    max_age: stream.maxAgeMs === undefined ? 0 : nanos(stream.maxAgeMs),
    storage: stream.storage === 'memory' ? StorageType.Memory : StorageType.File,
    num_replicas: stream.replicas,
    ...(stream.maxMsgSizeBytes === undefined ? {} : { max_msg_size: stream.maxMsgSizeBytes }),
  };
}

/** Settings of an existing stream that differ from what the sink would have created. */
function differences(existing: StreamConfig, desired: ReturnType<typeof desiredStreamConfig>): Record<string, { existing: unknown; configured: unknown }> {
  const diff: Record<string, { existing: unknown; configured: unknown }> = {};
  const sameSubjects = [...(existing.subjects ?? [])].sort().join(' ') === [...desired.subjects!].sort().join(' ');
  if (!sameSubjects) diff['subjects'] = { existing: existing.subjects ?? [], configured: desired.subjects };
  if (existing.duplicate_window !== desired.duplicate_window) {
    diff['duplicate_window_ms'] = { existing: millis(existing.duplicate_window), configured: millis(desired.duplicate_window!) };
  }
  if (existing.max_age !== desired.max_age) diff['max_age_ms'] = { existing: millis(existing.max_age), configured: millis(desired.max_age!) };
  if (existing.storage !== desired.storage) diff['storage'] = { existing: existing.storage, configured: desired.storage };
  if (existing.num_replicas !== desired.num_replicas) diff['replicas'] = { existing: existing.num_replicas, configured: desired.num_replicas };
  if (desired.max_msg_size !== undefined && existing.max_msg_size !== desired.max_msg_size) {
    diff['max_msg_size'] = { existing: existing.max_msg_size, configured: desired.max_msg_size };
  }
  return diff;
}

/**
 * Creates the stream when it does not exist. An existing stream is left exactly as it is (its
 * owner may have tuned it; changing subjects or limits under a running system is not the sink's
 * call): differences are logged at info. Two instances creating it at once is fine.
 */
export async function ensureStream(jsm: JetStreamManager, stream: NatsStreamConfig, subjects: readonly string[], logger: Logger, sinkName: string): Promise<'created' | 'exists'> {
  const desired = desiredStreamConfig(stream, subjects);
  try {
    const info = await jsm.streams.info(stream.name);
    const diff = differences(info.config, desired);
    if (Object.keys(diff).length > 0) {
      logger.info({ sink: sinkName, stream: stream.name, differences: diff }, 'the JetStream stream already exists with other settings; left as it is');
    }
    return 'exists';
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
  }
  try {
    await jsm.streams.add(desired);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE) return 'exists';
    throw err;
  }
  logger.info(
    { sink: sinkName, stream: stream.name, subjects: desired.subjects, duplicate_window_ms: stream.duplicateWindowMs, storage: stream.storage },
    'created the JetStream stream',
  );
  return 'created';
}

/** Checks that a stream the sink must not create exists; a missing one is a setup problem (rejected). */
export async function requireStream(jsm: JetStreamManager, name: string, sinkName: string): Promise<void> {
  try {
    await jsm.streams.info(name);
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
    throw new WesError(
      'WES_ERR_SINK_REJECTED',
      `sink "${sinkName}": the JetStream stream "${name}" does not exist; create it, or set "stream": { "create": true }`,
      { cause: err },
    );
  }
}
