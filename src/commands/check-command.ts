import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createCursorStore } from '../cursor/create-cursor-store.js';
import { LeaderLease } from '../leader/leader-lease.js';
import { redactUrl } from '../observability/redact-url.js';
import { closeRedis, createRedisClient } from '../redis/redis-client.js';
import { redisPersistence } from '../redis/redis-persistence.js';
import { createSinks } from '../sinks/create-sinks.js';
import { createEventsClient } from '../workos/events-client.js';
import { apiOptionsFromConfig } from '../workos/api-options-from-config.js';
import { EXIT_OK, exitCodeFor, reportFailure, type CommandIO } from './command-io.js';

type Verdict = 'ok' | 'warn' | 'FAIL';

function line(io: CommandIO, verdict: Verdict, what: string, detail: string): void {
  io.stdout.write(`${verdict.padEnd(4)}  ${what.padEnd(14)} ${detail}\n`);
}

/**
 * A warning, not a failure: the daemon runs on such a Redis, but the cursor and the lease live
 * only in its memory, so a restart of it (not of the daemon) forgets both.
 */
async function checkPersistence(io: CommandIO, redis: Redis, where: string, startFrom: Config['startFrom']): Promise<void> {
  const persistence = await redisPersistence(redis);
  if (persistence.kind === 'none') {
    line(io, 'warn', 'redis', `${where} keeps nothing on disk (appendonly no, save ""): a restart of that Redis empties the cursor and the leader lease; running instances restore the cursor from memory, but a cold start of every instance begins again from startFrom (${JSON.stringify(startFrom)}). Turn on appendonly (or save) there for a second durable copy`);
  } else if (persistence.kind === 'unknown') {
    line(io, 'warn', 'redis', `could not check whether ${where} keeps its data across a restart (${persistence.reason}); make sure it has appendonly or save turned on, or a restart of it empties the cursor and the leader lease`);
  }
}

/**
 * `check`: validate the config, make one `limit=1` request with the configured filters, read the
 * cursor and probe every sink, printing one line each. Exits with the worst code found.
 */
export async function checkCommand(configPath: string | undefined, io: CommandIO): Promise<number> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig({ path: configPath, env: io.env, requireApiKey: true });
  } catch (err) {
    return reportFailure(io, err);
  }
  const { config } = loaded;
  line(io, 'ok', 'config', `${loaded.configPath}: ${config.sinks.length} sink(s), schedule "${config.schedule}", page size ${config.pageSize}`);
  let exitCode = EXIT_OK;
  const fail = (what: string, err: unknown) => {
    line(io, 'FAIL', what, err instanceof Error ? err.message : String(err));
    exitCode = Math.max(exitCode, exitCodeFor(err));
  };
  const quiet = pino({ level: 'silent' });

  const client = createEventsClient(apiOptionsFromConfig(config, loaded.apiKey!));
  try {
    const page = await client.fetchPage({ limit: 1, events: config.events, organizationId: config.organizationId });
    const first = page.events[0];
    line(io, 'ok', 'workos', `${config.workos.baseUrl} accepted the key; ${first ? `oldest retained event ${first.id} (${first.event}, ${first.created_at})` : 'no events retained for these filters'}`);
  } catch (err) {
    fail('workos', err);
  }

  const redisUrl = config.cursor.store === 'redis' ? config.cursor.url : undefined;
  const redis = redisUrl === undefined ? undefined : createRedisClient(redisUrl, quiet);
  const store = createCursorStore(config.cursor, quiet, redis);
  try {
    await store.open();
    const cursor = await store.get();
    const where = cursor?.id ? `after ${cursor.id}${cursor.createdAt ? ` (${cursor.createdAt})` : ''}` : cursor ? `from ${cursor.createdAt}` : `no cursor yet: will start from ${config.startFrom}`;
    line(io, 'ok', 'cursor', `${store.description}: ${where}`);
    if (redis && redisUrl !== undefined) await checkPersistence(io, redis, redactUrl(redisUrl), config.startFrom);
    if (redis && config.leader.enabled) {
      const holder = await new LeaderLease({ redis, key: config.leader.key, ttlMs: config.leader.ttlMs }).holder();
      line(io, 'ok', 'leader', holder ? `lease ${config.leader.key} held by ${holder}` : `lease ${config.leader.key} is free: the first instance to start takes it`);
    }
  } catch (err) {
    fail('cursor', err);
  } finally {
    await store.close().catch(() => undefined);
    if (redis) await closeRedis(redis);
  }

  for (const sink of createSinks(config.sinks, { logger: quiet, stdout: io.stdout })) {
    try {
      await sink.open();
      await sink.probe();
      line(io, 'ok', `sink ${sink.name}`, 'reachable');
    } catch (err) {
      fail(`sink ${sink.name}`, err);
    } finally {
      await sink.close().catch(() => undefined);
    }
  }
  return exitCode;
}
