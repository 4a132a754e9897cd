import { pino } from 'pino';
import { loadConfig } from '../config/load.js';
import { RedisDeadLetterStore } from '../dead-letter/redis-dead-letter-store.js';
import { ConfigError } from '../errors.js';
import { closeRedis, connectRedis, createRedisClient } from '../redis/redis-client.js';
import { createSinks } from '../sinks/create-sinks.js';
import type { Sink } from '../sinks/sink.js';
import { EXIT_FAILURE, EXIT_OK, reportFailure, type CommandIO } from './command-io.js';

export interface DlqArgs {
  readonly action: string | undefined;
  readonly sink?: string | undefined;
  readonly limit?: string | undefined;
}

/** How many dead letters `replay` hands a sink at once. */
const REPLAY_BATCH = 100;

/**
 * `dlq list | replay [--sink NAME]`: inspect the events a sink refused, or hand them to it again.
 * A replayed batch is removed from the store only after the sink accepted it; entries whose sink is
 * no longer in the config, or whose stored copy is unreadable, are reported and kept.
 */
export async function dlqCommand(configPath: string | undefined, args: DlqArgs, io: CommandIO): Promise<number> {
  try {
    if (args.action !== 'list' && args.action !== 'replay') throw new ConfigError([`dlq: expected "list" or "replay", got ${args.action ? `"${args.action}"` : 'nothing'}`]);
    const { config } = await loadConfig({ path: configPath, env: io.env, requireApiKey: false });
    if (config.cursor.store !== 'redis') throw new ConfigError(['dlq: dead letters live in Redis, but cursor.store is "file" (set it to "redis" or REDIS_URL)']);
    const logger = pino({ level: 'silent' });
    const redis = createRedisClient(config.cursor.url, logger);
    try {
      await connectRedis(redis);
      const store = new RedisDeadLetterStore(redis, { keyPrefix: config.deadLetter.keyPrefix });
      const limit = args.limit === undefined ? undefined : Number(args.limit);
      if (args.action === 'list') {
        for (const entry of await store.list({ ...(args.sink ? { sink: args.sink } : {}), ...(limit ? { limit } : {}) })) {
          io.stdout.write(`${JSON.stringify({ entry_id: entry.entryId, sink: entry.sink, failed_at: entry.failedAt, error_code: entry.errorCode, error_message: entry.errorMessage, event: entry.event })}\n`);
        }
        return EXIT_OK;
      }
      const sinks = createSinks(config.sinks, { logger, stdout: io.stdout });
      const byName = new Map<string, Sink>(sinks.map((s) => [s.name, s]));
      let exitCode = EXIT_OK;
      for (const name of args.sink ? [args.sink] : await store.sinks()) {
        const sink = byName.get(name);
        const waiting = await store.count(name);
        if (waiting === 0) continue;
        if (!sink) {
          io.stderr.write(`workos-events-sync: ${waiting} dead letter(s) for sink "${name}", which is not in the config; kept\n`);
          exitCode = EXIT_FAILURE;
          continue;
        }
        await sink.open();
        let replayed = 0;
        try {
          for (;;) {
            const batch = (await store.list({ sink: name, limit: REPLAY_BATCH })).filter((e) => e.event.created_at !== '');
            if (batch.length === 0) break;
            await sink.write({ events: batch.map((e) => e.event) });
            replayed += await store.remove(name, batch.map((e) => e.entryId));
          }
        } finally {
          await sink.close();
        }
        const left = await store.count(name);
        io.stdout.write(`sink ${name}: replayed ${replayed} dead letter(s)${left > 0 ? `; ${left} unreadable entr${left === 1 ? 'y' : 'ies'} kept (see dlq list)` : ''}\n`);
        if (left > 0) exitCode = EXIT_FAILURE;
      }
      return exitCode;
    } finally {
      await closeRedis(redis);
    }
  } catch (err) {
    return reportFailure(io, err);
  }
}
